-- Record the failed pages of the Arrow batch `batch_failures`, counting attempts. A host name
-- that does not resolve ('dns: …') is a passing failure until its $dns_limit-th try, then a
-- lasting one (tried again at lasting_retry_after). A failure with no date (a fetch failure, an
-- undated page) keeps the date an earlier one found; date_source goes with its date.
merge into page_failures
using batch_failures as failure
    on page_failures.canonical_url = failure.canonical_url
when matched then update set
    url = failure.url,
    stage = failure.stage,
    reason = failure.reason,
    http_status = failure.http_status,
    transient = case
        when failure.reason like 'dns:%' and page_failures.attempts + 1 >= $dns_limit then false
        else failure.transient
    end,
    attempts = page_failures.attempts + 1,
    last_failed_at = failure.now,
    retry_after = case
        when failure.reason like 'dns:%' and page_failures.attempts + 1 >= $dns_limit
            then failure.lasting_retry_after
        else failure.retry_after
    end,
    published_at = coalesce(failure.published_at, page_failures.published_at),
    date_source = case
        when failure.published_at is null then page_failures.date_source
        else failure.date_source
    end
when not matched then insert (
    canonical_url, url, origin, source, title, feed_published_at, stage, reason, http_status,
    transient, attempts, first_failed_at, last_failed_at, retry_after, published_at, date_source
) values (
    failure.canonical_url, failure.url, failure.origin, failure.source, failure.title,
    failure.feed_published_at, failure.stage, failure.reason, failure.http_status,
    case when failure.reason like 'dns:%' and $dns_limit <= 1 then false else failure.transient end,
    1, failure.now, failure.now,
    case
        when failure.reason like 'dns:%' and $dns_limit <= 1 then failure.lasting_retry_after
        else failure.retry_after
    end,
    failure.published_at, failure.date_source
)
