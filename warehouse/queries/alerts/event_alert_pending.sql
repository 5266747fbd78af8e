-- The events to announce: those with a report dated at most $recent_days days before the latest
-- story of scope $scope (a backfill of past years pages nobody), reported by at least $min_outlets
-- outlets, not yet in `event_alerts_sent`; each with the first report of each outlet, in order, as
-- a list of structs. Counted as the `events` view counts (outlets: distinct sources, copies
-- included), but only for the recent events: a run reads the events of its days, not the lake's.
with latest as (
    select max(day) as last_day
    from scoped_stories
    where scope = $scope
),

recent as (
    select distinct article_events.event_id
    from article_events
    cross join latest
    where
        article_events.published_at
        >= cast(latest.last_day - cast($recent_days as integer) as timestamp)
),

unsent as (
    select recent.event_id
    from recent
    where not exists (
        select 1
        from event_alerts_sent as sent
        where sent.event_id = recent.event_id
    )
),

reports as (
    select
        article_events.event_id,
        article_events.canonical_url,
        article_events.published_at,
        coalesce(articles.source, '(unknown)') as outlet,
        articles.language,
        articles.title,
        articles.url
    from article_events
    semi join unsent using (event_id)
    inner join articles using (canonical_url)
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id, outlet order by published_at, canonical_url
        ) as outlet_order
    from reports
)

select
    event_id,
    first(title order by published_at, canonical_url) as headline,
    min(published_at) as first_report_at,
    max(published_at) as last_report_at,
    count(*) as reports,
    count(distinct outlet) as outlets,
    coalesce(
        list(distinct language order by language) filter (where language is not null), []
    ) as languages,
    list(
        {
            'outlet': outlet,
            'language': language,
            'published_at': published_at,
            'title': title,
            'url': url
        }
        order by published_at, canonical_url
    ) filter (where outlet_order = 1) as outlet_reports
from ranked
group by event_id
having count(distinct outlet) >= $min_outlets
order by first_report_at, event_id
