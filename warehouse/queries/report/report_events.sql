-- The events of the report's period: those with a report in [$first, $last] (days), the largest
-- first (outlets, then reports), at most $top; each with up to $per_event of its reports, each
-- outlet's first report before any outlet's later ones (who covered it, then how much), in
-- publication order. `first_report` marks the event's first report (publication time, then URL,
-- as the `events` view picks its headline and `sinorus events show` its first); `more` counts the
-- reports left out.
with period as (
    select
        event_id,
        first_report_at,
        last_report_at,
        headline,
        reports,
        outlets,
        languages,
        top_keywords,
        row_number() over (
            order by outlets desc, reports desc, first_report_at, event_id
        ) as event_rank
    from events
    where
        last_report_at >= cast($first as timestamp)
        and first_report_at < cast($last as timestamp) + interval 1 day
    qualify event_rank <= $top
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
    semi join period using (event_id)
    inner join articles using (canonical_url)
),

ordered as (
    select
        *,
        row_number() over (
            partition by event_id order by published_at, canonical_url
        ) as report_order,
        row_number() over (
            partition by event_id, outlet order by published_at, canonical_url
        ) as outlet_order
    from reports
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
    period.event_id,
    period.event_rank,
    period.headline,
    period.first_report_at,
    period.last_report_at,
    period.reports,
    period.outlets,
    period.languages,
    period.top_keywords,
    period.reports - least(period.reports, $per_event) as more,
    picked.report_order = 1 as first_report,
    picked.outlet,
    picked.language,
    picked.published_at,
    picked.method,
    picked.title,
    picked.url
from period
inner join picked using (event_id)
where picked.pick <= $per_event
order by period.event_rank, picked.published_at, picked.canonical_url
