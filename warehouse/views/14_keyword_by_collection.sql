-- Keywords by collection and day: the collection's stories naming the keyword, its mentions and
-- sources, and two shares: of the collection's stories that day (`share`, as in
-- keyword_trends_daily) and of everything its feeds published that day (`volume_share`, Media
-- Cloud's attention; collection_stories_daily).
create or replace view keyword_by_collection as
with keyword_days as (
    select
        feed_collections.collection,
        stories.day,
        keyword_mentions.keyword,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions,
        count(distinct stories.source) as sources
    from stories
    inner join feed_collections using (source)
    inner join keyword_mentions using (canonical_url)
    group by feed_collections.collection, stories.day, keyword_mentions.keyword
)

select
    keyword_days.collection,
    keyword_days.day,
    keyword_days.keyword,
    keyword_days.stories,
    keyword_days.mentions,
    keyword_days.sources,
    collection_days.stories as collection_stories,
    collection_days.articles as collection_articles,
    keyword_days.stories / collection_days.stories as share,
    keyword_days.stories / collection_days.articles as volume_share
from keyword_days
inner join collection_stories_daily as collection_days using (collection, day)
