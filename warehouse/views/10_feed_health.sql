-- Feed health at a glance: the feeds that fail come first.
create or replace view feed_health as
select
    name,
    url,
    last_status,
    last_error,
    http_status,
    consecutive_failures,
    entries_last,
    last_checked_at,
    last_ok_at
from feeds
order by consecutive_failures desc, name
