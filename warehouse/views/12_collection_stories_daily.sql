-- Each collection's stories by day, normalised as Media Cloud does: the share of the collection's
-- own volume, its stories over every original article its feeds published that day (off-topic
-- pages included, copies left out as they are from the stories), so that a collection that
-- publishes more does not look more attentive. A feed is in the collections `feed_collections`
-- gives its name (the tags of the run that started last: a change applies to past articles too).
-- A day on which the collection published nothing has no row.
create or replace view collection_stories_daily as
with volume as (
    select
        feed_collections.collection,
        cast(coalesce(articles.published_at, articles.fetched_at) as date) as day,
        count(*) as articles
    from articles
    inner join feed_collections using (source)
    where articles.duplicate_of is null
    group by feed_collections.collection, day
),

counted as (
    select
        feed_collections.collection,
        stories.day,
        count(*) as stories,
        count(distinct stories.source) as sources
    from stories
    inner join feed_collections using (source)
    group by feed_collections.collection, stories.day
)

select
    volume.collection,
    volume.day,
    coalesce(counted.stories, 0) as stories,
    coalesce(counted.sources, 0) as sources,
    volume.articles,
    coalesce(counted.stories, 0) / volume.articles as share
from volume
left join counted using (collection, day)
