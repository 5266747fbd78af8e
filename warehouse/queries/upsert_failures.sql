-- Record the failed pages of the Arrow batch `batch_failures`, counting attempts.
merge into page_failures
using batch_failures as failure
    on page_failures.canonical_url = failure.canonical_url
when matched then update set
    url = failure.url,
    stage = failure.stage,
    reason = failure.reason,
    http_status = failure.http_status,
    transient = failure.transient,
    attempts = page_failures.attempts + 1,
    last_failed_at = failure.now,
    retry_after = failure.retry_after
when not matched then insert (
    canonical_url, url, origin, source, title, feed_published_at, stage, reason, http_status,
    transient, attempts, first_failed_at, last_failed_at, retry_after
) values (
    failure.canonical_url, failure.url, failure.origin, failure.source, failure.title,
    failure.feed_published_at, failure.stage, failure.reason, failure.http_status,
    failure.transient, 1, failure.now, failure.now, failure.retry_after
)
