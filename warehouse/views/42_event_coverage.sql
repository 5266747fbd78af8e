-- Who covered each event: per event and source, its first report, its reports (copies included),
-- its place in the order of first reports (1: the first to report; ties share a place) and how
-- many hours after the event's first report it came.
create or replace view event_coverage as
with per_source as (
    select
        article_events.event_id,
        coalesce(articles.source, '(unknown)') as source,
        min(article_events.published_at) as first_report_at,
        count(*) as reports
    from article_events
    inner join articles using (canonical_url)
    group by article_events.event_id, coalesce(articles.source, '(unknown)')
)

select
    event_id,
    source,
    first_report_at,
    reports,
    rank() over (partition by event_id order by first_report_at) as report_order,
    (
        epoch(first_report_at) - epoch(min(first_report_at) over (partition by event_id))
    ) / 3600.0 as hours_after_first
from per_source
