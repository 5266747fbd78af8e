-- The next page of stored articles to judge again: those after key $after, in the window
-- [$since, $until] of their date (every date when null), in key order.
select
    canonical_url,
    url,
    origin,
    source,
    title,
    author,
    sitename,
    language,
    published_at,
    date_source,
    fetched_at,
    text,
    relevant
from articles
where canonical_url > $after
    and ($since is null or cast(coalesce(published_at, fetched_at) as date) >= $since)
    and ($until is null or cast(coalesce(published_at, fetched_at) as date) <= $until)
order by canonical_url
limit $limit
