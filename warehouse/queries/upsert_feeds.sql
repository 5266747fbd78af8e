-- Record the feed checks of the Arrow batch `batch_feeds`. Validators are replaced only when the
-- check brought new ones.
merge into feeds
using batch_feeds as checked
    on feeds.url = checked.url
when matched then update set
    name = checked.name,
    etag = coalesce(checked.etag, feeds.etag),
    last_modified = coalesce(checked.last_modified, feeds.last_modified),
    body_hash = coalesce(checked.body_hash, feeds.body_hash),
    last_status = checked.status,
    last_error = checked.error,
    http_status = checked.http_status,
    entries_last = coalesce(checked.entries, feeds.entries_last),
    last_checked_at = checked.now,
    last_ok_at = case when checked.ok then checked.now else feeds.last_ok_at end,
    consecutive_failures = case when checked.ok then 0 else feeds.consecutive_failures + 1 end
when not matched then insert (
    url, name, etag, last_modified, body_hash, last_status, last_error, http_status,
    entries_last, last_checked_at, last_ok_at, consecutive_failures
) values (
    checked.url, checked.name, checked.etag, checked.last_modified, checked.body_hash,
    checked.status, checked.error, checked.http_status, checked.entries, checked.now,
    case when checked.ok then checked.now end, case when checked.ok then 0 else 1 end
)
