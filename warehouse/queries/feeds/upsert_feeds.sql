-- Record the feed checks of the Arrow batch `batch_feeds`, with when each is due next.
-- Validators are replaced only when the check brought new ones; a paused feed stays paused.
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
    consecutive_failures = case when checked.ok then 0 else feeds.consecutive_failures + 1 end,
    next_fetch_at = checked.next_fetch_at,
    interval_minutes = checked.interval_minutes,
    items_per_day = checked.items_per_day,
    new_items_last = checked.new_items,
    last_new_at = case when checked.new_items > 0 then checked.now else feeds.last_new_at end
when not matched then insert (
    url, name, etag, last_modified, body_hash, last_status, last_error, http_status,
    entries_last, last_checked_at, last_ok_at, consecutive_failures, next_fetch_at,
    interval_minutes, items_per_day, new_items_last, last_new_at
) values (
    checked.url, checked.name, checked.etag, checked.last_modified, checked.body_hash,
    checked.status, checked.error, checked.http_status, checked.entries, checked.now,
    case when checked.ok then checked.now end, case when checked.ok then 0 else 1 end,
    checked.next_fetch_at, checked.interval_minutes, checked.items_per_day, checked.new_items,
    case when checked.new_items > 0 then checked.now end
)
