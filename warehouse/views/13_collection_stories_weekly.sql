-- Each collection's stories by ISO week (Monday to Sunday), and their share of the collection's
-- own volume that week: every original article its feeds published (as collection_stories_daily).
create or replace view collection_stories_weekly as
with volume as (
    select
        feed_collections.collection,
        cast(date_trunc('week', coalesce(articles.published_at, articles.fetched_at)) as date)
            as week,
        count(*) as articles
    from articles
    inner join feed_collections using (source)
    where articles.duplicate_of is null
    group by feed_collections.collection, week
),

counted as (
    select
        feed_collections.collection,
        cast(date_trunc('week', stories.day) as date) as week,
        count(*) as stories,
        count(distinct stories.source) as sources
    from stories
    inner join feed_collections using (source)
    group by feed_collections.collection, week
)

select
    volume.collection,
    volume.week,
    strftime(volume.week, '%G-W%V') as iso_week,
    coalesce(counted.stories, 0) as stories,
    coalesce(counted.sources, 0) as sources,
    volume.articles,
    coalesce(counted.stories, 0) / volume.articles as share
from volume
left join counted using (collection, week)
