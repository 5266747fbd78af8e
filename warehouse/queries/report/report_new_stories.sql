-- The stories stored since $since (by fetch time: new to the warehouse, whatever their date) in
-- scope $scope, newest first, with their keywords and relevance evidence.
with fresh as (
    select
        stories.canonical_url,
        stories.title,
        stories.source,
        stories.dated_at,
        stories.relevance,
        articles.url,
        articles.fetched_at,
        cast(articles.relevance_evidence as varchar) as evidence
    from stories
    inner join articles using (canonical_url)
    where articles.fetched_at >= $since and ($scope = 'all' or stories.origin <> 'seed')
),

keywords as (
    select
        canonical_url,
        string_agg(keyword, ', ' order by mentions desc, keyword) as keywords
    from keyword_mentions
    where canonical_url in (select canonical_url from fresh)
    group by canonical_url
)

select
    fresh.dated_at,
    fresh.fetched_at,
    fresh.title,
    fresh.source,
    fresh.url,
    fresh.relevance,
    coalesce(keywords.keywords, '') as keywords,
    fresh.evidence
from fresh
left join keywords using (canonical_url)
order by fresh.dated_at desc, fresh.title
