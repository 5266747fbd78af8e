-- Record one feed check. Validators are replaced only when the check brought new ones.
insert into feeds (
    url, name, etag, last_modified, body_hash, last_status, last_error, http_status,
    entries_last, last_checked_at, last_ok_at, consecutive_failures
)
values (
    $url, $name, $etag, $last_modified, $body_hash, $status, $error, $http_status,
    $entries, $now, case when $ok then $now end, case when $ok then 0 else 1 end
)
on conflict (url) do update set
    name = excluded.name,
    etag = coalesce(excluded.etag, feeds.etag),
    last_modified = coalesce(excluded.last_modified, feeds.last_modified),
    body_hash = coalesce(excluded.body_hash, feeds.body_hash),
    last_status = excluded.last_status,
    last_error = excluded.last_error,
    http_status = excluded.http_status,
    entries_last = coalesce(excluded.entries_last, feeds.entries_last),
    last_checked_at = excluded.last_checked_at,
    last_ok_at = coalesce(excluded.last_ok_at, feeds.last_ok_at),
    consecutive_failures = case when $ok then 0 else feeds.consecutive_failures + 1 end
