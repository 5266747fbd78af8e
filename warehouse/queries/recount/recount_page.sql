-- The next page of stored articles whose keyword mentions are counted again: key, title and text,
-- after key $after, in key order.
select
    canonical_url,
    title,
    text
from articles
where canonical_url > $after
order by canonical_url
limit $limit
