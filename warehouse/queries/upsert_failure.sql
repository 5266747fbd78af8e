-- Record a failed page, counting attempts.
insert into page_failures (
    canonical_url, url, origin, source, title, feed_published_at, stage, reason, http_status,
    transient, attempts, first_failed_at, last_failed_at, retry_after
)
values (
    $canonical_url, $url, $origin, $source, $title, $feed_published_at, $stage, $reason,
    $http_status, $transient, 1, $now, $now, $retry_after
)
on conflict (canonical_url) do update set
    url = excluded.url,
    stage = excluded.stage,
    reason = excluded.reason,
    http_status = excluded.http_status,
    transient = excluded.transient,
    attempts = page_failures.attempts + 1,
    last_failed_at = excluded.last_failed_at,
    retry_after = excluded.retry_after
