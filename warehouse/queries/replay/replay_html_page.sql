-- The next page of stored articles to re-extract from the HTML kept when they were fetched:
-- those after key $after, in the window [$since, $until] of their date (every date when null),
-- in key order.
select
    articles.canonical_url,
    raw_pages.url,
    raw_pages.html_zlib,
    raw_pages.html_zstd,
    raw_pages.fetched_at,
    articles.origin,
    articles.source,
    articles.title,
    articles.published_at,
    articles.date_source,
    articles.relevant
from articles
inner join raw_pages using (canonical_url)
where articles.canonical_url > $after
    and ($since is null or cast(coalesce(articles.published_at, articles.fetched_at) as date) >= $since)
    and ($until is null or cast(coalesce(articles.published_at, articles.fetched_at) as date) <= $until)
order by articles.canonical_url
limit $limit
