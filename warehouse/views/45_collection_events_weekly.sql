-- Each collection's attention to each event by ISO week (Monday to Sunday), as
-- collection_events_daily by day: its reports of the event that week (copies included), its
-- stories among them, its outlets, whether it broke the event that week, and the stories' shares
-- of the collection's stories and of its own volume that week (collection_stories_weekly).
create or replace view collection_events_weekly as
with reports as (
    select
        feed_collections.collection,
        cast(date_trunc('week', article_events.published_at) as date) as week,
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
        week,
        event_id,
        count(*) as reports,
        count(*) filter (where story) as stories,
        count(distinct source) as outlets
    from reports
    group by collection, week, event_id
),

broken as (
    select
        collection,
        cast(date_trunc('week', first_report_at) as date) as week,
        event_id
    from event_coverage
    where report_order = 1
)

select
    counted.collection,
    counted.week,
    strftime(counted.week, '%G-W%V') as iso_week,
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
left join broken using (collection, week, event_id)
left join collection_stories_weekly as volume using (collection, week)
