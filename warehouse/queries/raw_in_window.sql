-- Stored articles of the window whose fetched HTML was kept, for re-extraction.
select
    articles.canonical_url,
    raw_pages.url,
    raw_pages.html_zlib,
    raw_pages.fetched_at,
    articles.origin,
    articles.source,
    articles.title,
    articles.published_at,
    articles.date_source
from raw_pages
inner join articles using (canonical_url)
where cast(coalesce(articles.published_at, articles.fetched_at) as date) between $since and $until
order by articles.canonical_url
