-- Every known feed, worst first: failing ones, then those silent longest; paused ones flagged.
-- Its country and collections are the tags of the run that started last (by the feed's name).
with countries as (
    select distinct
        source,
        country
    from feed_tags
),

collections as (
    select
        source,
        string_agg(collection, ' ' order by collection) as collections
    from feed_collections
    group by source
)

select
    feeds.name,
    countries.country,
    collections.collections,
    feeds.url,
    case when feeds.paused_at is not null then 'paused' else feeds.last_status end as status,
    feeds.last_error,
    feeds.consecutive_failures as failures,
    feeds.last_new_at,
    round(feeds.items_per_day, 1) as items_per_day,
    round(feeds.interval_minutes) as interval_minutes,
    feeds.next_fetch_at
from feeds
left join countries on feeds.name = countries.source
left join collections on feeds.name = collections.source
order by
    feeds.paused_at is not null desc,
    feeds.consecutive_failures desc,
    feeds.last_new_at asc nulls first,
    feeds.name
