-- What the last checks of each known feed left: validators for conditional GET, and its polling.
select
    url,
    etag,
    last_modified,
    body_hash,
    next_fetch_at,
    interval_minutes,
    consecutive_failures,
    items_per_day,
    last_checked_at,
    paused_at
from feeds
