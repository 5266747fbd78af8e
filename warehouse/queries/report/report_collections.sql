-- The collections compared over the report's window ($first..$last): each one's outlets (feeds
-- tagged with it), its stories, everything its feeds published, and the stories' share of that
-- volume (collection_stories_daily); the most attentive first.
with members as (
    select
        collection,
        count(distinct source) as outlets
    from feed_collections
    group by collection
),

period as (
    select
        collection,
        sum(stories) as stories,
        sum(articles) as articles
    from collection_stories_daily
    where day between $first and $last
    group by collection
)

select
    members.collection,
    members.outlets,
    coalesce(period.stories, 0) as stories,
    coalesce(period.articles, 0) as articles,
    period.stories / nullif(period.articles, 0) as share
from members
left join period using (collection)
order by share desc nulls last, members.collection
