-- What a rescore reads: every article's text and current verdict.
select
    canonical_url,
    title,
    text,
    relevant
from articles
order by canonical_url
