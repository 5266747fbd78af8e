-- relationships: every kept page belongs to a stored article (raw_pages -> articles).
select
    canonical_url,
    url,
    fetched_at
from raw_pages
anti join articles using (canonical_url)
order by canonical_url
