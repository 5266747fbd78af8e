-- One row a collection: its outlets (the feed names tagged with it) and their countries, and over
-- everything stored, its original articles, its stories and their share of that volume, the
-- outlets that ran a story, the stories' languages, and the days of its first and last story.
create or replace view collection_summary as
with countries as (
    select distinct
        source,
        country
    from feed_tags
    where country is not null
),

members as (
    select
        feed_collections.collection,
        count(distinct feed_collections.source) as outlets,
        coalesce(string_agg(distinct countries.country, ' ' order by countries.country), '')
            as countries
    from feed_collections
    left join countries using (source)
    group by feed_collections.collection
),

volume as (
    select
        feed_collections.collection,
        count(*) as articles
    from articles
    inner join feed_collections using (source)
    where articles.duplicate_of is null
    group by feed_collections.collection
),

counted as (
    select
        feed_collections.collection,
        count(*) as stories,
        count(distinct stories.source) as sources,
        string_agg(distinct stories.language, ' ' order by stories.language) as languages,
        min(stories.day) as first_day,
        max(stories.day) as last_day
    from stories
    inner join feed_collections using (source)
    group by feed_collections.collection
)

select
    members.collection,
    members.outlets,
    members.countries,
    coalesce(volume.articles, 0) as articles,
    coalesce(counted.stories, 0) as stories,
    coalesce(counted.stories, 0) / nullif(volume.articles, 0) as share,
    coalesce(counted.sources, 0) as sources,
    coalesce(counted.languages, '') as languages,
    counted.first_day,
    counted.last_day
from members
left join volume using (collection)
left join counted using (collection)
