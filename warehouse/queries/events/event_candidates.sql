-- The events active around a batch: those with a report assigned by its own signals (not a copy)
-- published in [$active_since, $active_until], each read from its reports published in
-- [$since, $until] (a window wider on each side), and of those only what an active event is
-- compared by: its first report there and its latest $latest. Both tables are read by
-- publication time only, so the rows read grow with the events of the window, not with the lake.
with nearby as (
    select
        article_events.event_id,
        article_events.method,
        event_signals.*
    from event_signals
    inner join article_events using (canonical_url)
    where event_signals.published_at between $since and $until
        and article_events.published_at between $since and $until
),

active as (
    select distinct event_id
    from nearby
    where published_at between $active_since and $active_until
),

ranked as (
    select
        nearby.*,
        min(published_at) over (partition by event_id) as first_at,
        max(published_at) over (partition by event_id) as last_at,
        count(*) over (partition by event_id) as reports,
        row_number() over (
            partition by event_id order by method = 'new' desc, published_at, canonical_url
        ) as from_first,
        row_number() over (
            partition by event_id order by published_at desc, canonical_url desc
        ) as from_last
    from nearby
    semi join active using (event_id)
)

select
    event_id,
    first_at,
    last_at,
    reports,
    from_first = 1 as opener,
    canonical_url,
    published_at,
    language,
    embedding,
    actors,
    places,
    numbers,
    dates,
    occasion
from ranked
where from_first = 1 or from_last <= $latest
order by first_at, event_id, opener desc, published_at, canonical_url
