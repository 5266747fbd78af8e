-- Keywords compared across collections (`sinorus trends --by collection`): over the window
-- $since..$until (else the last $days days up to the latest story in scope $scope), for each
-- collection ($collections, [] for every one) and keyword ($keywords, lowercase names; [] takes
-- the $top keywords by stories across those collections): the collection's stories naming it,
-- their mentions and outlets, and two shares, of the collection's stories in the window and of
-- its volume (every original article its feeds published: collection_stories_daily). Every
-- collection is listed with every keyword, 0 where none of its stories names it.
with bounds as (
    select
        coalesce(cast($since as date), max(day) - cast($days as integer) + 1) as first_day,
        coalesce(cast($until as date), max(day)) as last_day
    from keyword_trends_daily
    where scope = $scope
),

asked as (
    select distinct collection
    from feed_collections
    where
        len(cast($collections as varchar[])) = 0
        or list_contains(cast($collections as varchar[]), collection)
),

volume as (
    select
        daily.collection,
        sum(daily.stories) as collection_stories,
        sum(daily.articles) as collection_articles
    from collection_stories_daily as daily
    cross join bounds
    where daily.day between bounds.first_day and bounds.last_day
    group by daily.collection
),

windowed as (
    select
        feed_collections.collection,
        stories.canonical_url,
        stories.source
    from stories
    inner join feed_collections using (source)
    inner join asked using (collection)
    cross join bounds
    where stories.day between bounds.first_day and bounds.last_day
),

keyword_totals as (
    select
        windowed.collection,
        keyword_mentions.keyword,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions,
        count(distinct windowed.source) as sources
    from windowed
    inner join keyword_mentions using (canonical_url)
    group by windowed.collection, keyword_mentions.keyword
),

ranked as (
    select
        keyword,
        row_number() over (order by sum(stories) desc, sum(mentions) desc, keyword) as rank
    from keyword_totals
    group by keyword
),

chosen as (
    select keyword
    from ranked
    where len(cast($keywords as varchar[])) = 0 and rank <= $top
    union
    -- a keyword asked for by name is listed (at zero) even when no story names it
    select distinct keyword
    from keyword_mentions
    where list_contains(cast($keywords as varchar[]), lower(keyword))
)

select
    bounds.first_day,
    bounds.last_day,
    chosen.keyword,
    asked.collection,
    coalesce(keyword_totals.stories, 0) as stories,
    coalesce(keyword_totals.mentions, 0) as mentions,
    coalesce(keyword_totals.sources, 0) as sources,
    coalesce(volume.collection_stories, 0) as collection_stories,
    coalesce(volume.collection_articles, 0) as collection_articles,
    coalesce(keyword_totals.stories, 0) / nullif(volume.collection_stories, 0) as share,
    coalesce(keyword_totals.stories, 0) / nullif(volume.collection_articles, 0) as volume_share
from asked
cross join chosen
cross join bounds
left join volume using (collection)
left join keyword_totals using (collection, keyword)
order by chosen.keyword, asked.collection
