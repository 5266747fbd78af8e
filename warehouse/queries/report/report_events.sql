-- The events of the report's period: those with a report in [$first, $last] (days), the largest
-- first (outlets, then reports, then the earliest), at most $top; each with up to $per_event of
-- its reports, each outlet's first report before any outlet's later ones (who covered it, then
-- how much), in publication order. `first_report` marks the event's first report (publication
-- time, then URL: the report the `events` view takes its headline from); `more` counts the reports
-- left out. Counted as the `events` view counts (tests/test_report.py holds the two equal), but
-- for the period's events only: the view aggregates every event of the lake on each read.
with period_events as (
    select distinct event_id
    from article_events
    where
        published_at >= cast($first as timestamp)
        and published_at < cast($last as timestamp) + interval 1 day
),

reports as (
    select
        article_events.event_id,
        article_events.canonical_url,
        article_events.published_at,
        article_events.method,
        coalesce(articles.source, '(unknown)') as outlet,
        articles.language,
        articles.title,
        articles.url
    from article_events
    semi join period_events using (event_id)
    inner join articles using (canonical_url)
),

largest as (
    select
        event_id,
        min(published_at) as first_report_at,
        max(published_at) as last_report_at,
        first(title order by published_at, canonical_url) as headline,
        count(*) as reports,
        count(distinct outlet) as outlets,
        list(distinct language order by language) filter (where language is not null) as languages,
        row_number() over (
            order by count(distinct outlet) desc, count(*) desc, min(published_at), event_id
        ) as event_rank
    from reports
    group by event_id
    qualify event_rank <= $top
),

keywords as (
    select
        reports.event_id,
        keyword_mentions.keyword,
        count(*) as reports
    from reports
    semi join largest using (event_id)
    inner join keyword_mentions using (canonical_url)
    group by reports.event_id, keyword_mentions.keyword
),

top_keywords as (
    select
        event_id,
        list(keyword order by reports desc, keyword)[1:5] as top_keywords
    from keywords
    group by event_id
),

ordered as (
    select
        reports.*,
        row_number() over (
            partition by reports.event_id order by reports.published_at, reports.canonical_url
        ) as report_order,
        row_number() over (
            partition by reports.event_id, reports.outlet
            order by reports.published_at, reports.canonical_url
        ) as outlet_order
    from reports
    semi join largest using (event_id)
),

picked as (
    select
        *,
        row_number() over (
            partition by event_id order by outlet_order > 1, published_at, canonical_url
        ) as pick
    from ordered
)

select
    largest.event_id,
    largest.event_rank,
    largest.headline,
    largest.first_report_at,
    largest.last_report_at,
    largest.reports,
    largest.outlets,
    largest.languages,
    coalesce(top_keywords.top_keywords, []) as top_keywords,
    largest.reports - least(largest.reports, $per_event) as more,
    picked.report_order = 1 as first_report,
    picked.outlet,
    picked.language,
    picked.published_at,
    picked.method,
    picked.title,
    picked.url
from largest
inner join picked using (event_id)
left join top_keywords using (event_id)
where picked.pick <= $per_event
order by largest.event_rank, picked.published_at, picked.canonical_url
