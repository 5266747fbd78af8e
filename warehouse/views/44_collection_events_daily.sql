-- Each collection's attention to each event by day, normalised as Media Cloud does: per
-- collection, day and event, the collection's reports of the event that day (copies included),
-- its stories among them (the originals), its outlets that ran one, whether it broke the event
-- that day (its first report was the event's first, ties too: place 1 in event_coverage), and
-- two shares of those stories: of the collection's stories that day (`share`) and of everything
-- its feeds published that day (`volume_share`, the collection's own volume as in
-- collection_stories_daily). Per event, not per collection and day: every relevant original has
-- an event, so all events together would only repeat collection_stories_daily; summed over a
-- collection's day, count(*) is the events it covered and count(*) filter (where broke) those it
-- broke. Feeds in no collection are left out, as in collection_stories_daily. A day on which the
-- collection ran only copies has no volume: its shares are null.
create or replace view collection_events_daily as
with reports as (
    select
        feed_collections.collection,
        cast(article_events.published_at as date) as day,
        article_events.event_id,
        articles.source,
        articles.relevant and articles.duplicate_of is null as story
    from article_events
    inner join articles using (canonical_url)
    inner join feed_collections on articles.source = feed_collections.source
),

counted as (
    select
        collection,
        day,
        event_id,
        count(*) as reports,
        count(*) filter (where story) as stories,
        count(distinct source) as outlets
    from reports
    group by collection, day, event_id
),

broken as (
    select
        collection,
        cast(first_report_at as date) as day,
        event_id
    from event_coverage
    where report_order = 1
)

select
    counted.collection,
    counted.day,
    counted.event_id,
    counted.reports,
    counted.stories,
    counted.outlets,
    broken.event_id is not null as broke,
    coalesce(volume.stories, 0) as collection_stories,
    coalesce(volume.articles, 0) as collection_articles,
    counted.stories / nullif(volume.stories, 0) as share,
    counted.stories / nullif(volume.articles, 0) as volume_share
from counted
left join broken using (collection, day, event_id)
left join collection_stories_daily as volume using (collection, day)
