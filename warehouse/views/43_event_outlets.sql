-- Who covered each event, outlet by outlet: per event and source, the collections the source is
-- in (none: empty), its first report, its reports (copies included), its place in the order of
-- first reports (1: the first to report; ties share a place) and how many hours after the
-- event's first report it came. By collection: event_coverage.
create or replace view event_outlets as
with per_source as (
    select
        article_events.event_id,
        coalesce(articles.source, '(unknown)') as source,
        min(article_events.published_at) as first_report_at,
        count(*) as reports
    from article_events
    inner join articles using (canonical_url)
    group by article_events.event_id, coalesce(articles.source, '(unknown)')
),

tags as (
    select
        source,
        list(collection order by collection) as collections
    from feed_collections
    group by source
)

select
    per_source.event_id,
    per_source.source,
    coalesce(tags.collections, []) as collections,
    per_source.first_report_at,
    per_source.reports,
    rank() over (partition by per_source.event_id order by per_source.first_report_at)
        as report_order,
    (
        epoch(per_source.first_report_at)
        - epoch(min(per_source.first_report_at) over (partition by per_source.event_id))
    ) / 3600.0 as hours_after_first
from per_source
left join tags using (source)
