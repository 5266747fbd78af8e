-- Which collections covered each event, and which reported it first: per event and collection,
-- its first report and the outlet that ran it, its reports (copies included), its outlets
-- (distinct sources), its place in the order of first reports (1: the collection that reported
-- first; ties share a place) and how many hours after the event's first report it came. A feed
-- counts in each collection feed_collections gives it (the tags of the run that started last),
-- so an event's rows may add up to more reports than it has. The reports of a feed in no
-- collection come under '(none)' (no collection's name has brackets): an untagged outlet that
-- broke the event keeps place 1, and the first tagged collection comes second, as it did.
-- Outlet by outlet: event_outlets.
create or replace view event_coverage as
with reports as (
    select
        article_events.event_id,
        article_events.canonical_url,
        article_events.published_at,
        coalesce(articles.source, '(unknown)') as source,
        coalesce(feed_collections.collection, '(none)') as collection
    from article_events
    inner join articles using (canonical_url)
    left join feed_collections on articles.source = feed_collections.source
),

per_collection as (
    select
        event_id,
        collection,
        min(published_at) as first_report_at,
        first(source order by published_at, canonical_url) as first_outlet,
        count(*) as reports,
        count(distinct source) as outlets
    from reports
    group by event_id, collection
)

select
    event_id,
    collection,
    first_report_at,
    first_outlet,
    reports,
    outlets,
    rank() over (partition by event_id order by first_report_at) as report_order,
    (
        epoch(first_report_at) - epoch(min(first_report_at) over (partition by event_id))
    ) / 3600.0 as hours_after_first
from per_collection
