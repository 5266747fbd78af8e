-- Every known feed, worst first: failing ones, then those silent longest; paused ones flagged.
select
    name,
    url,
    case when paused_at is not null then 'paused' else last_status end as status,
    last_error,
    consecutive_failures as failures,
    last_new_at,
    round(items_per_day, 1) as items_per_day,
    round(interval_minutes) as interval_minutes,
    next_fetch_at
from feeds
order by
    paused_at is not null desc,
    consecutive_failures desc,
    last_new_at asc nulls first,
    name
