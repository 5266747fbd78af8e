-- Every report of event $event_id, in publication order: outlet, its collections, language,
-- time, headline, link, how it joined; `first` marks the first report.
with collections as (
    select
        source,
        string_agg(collection, ' ' order by collection) as collections
    from feed_collections
    group by source
)

select
    case
        when row_number() over (order by article_events.published_at, articles.canonical_url) = 1
            then '*'
        else ''
    end as first,
    strftime(article_events.published_at, '%Y-%m-%d %H:%M') as published,
    coalesce(articles.source, '(unknown)') as outlet,
    coalesce(collections.collections, '') as collections,
    articles.language,
    article_events.method,
    round(article_events.similarity, 3) as similarity,
    articles.title as headline,
    articles.url as link
from article_events
inner join articles using (canonical_url)
left join collections on articles.source = collections.source
where article_events.event_id = $event_id
order by article_events.published_at, articles.canonical_url
