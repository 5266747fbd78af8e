-- The validators kept for conditional GET, one row per known feed.
select url, etag, last_modified, body_hash, consecutive_failures
from feeds
