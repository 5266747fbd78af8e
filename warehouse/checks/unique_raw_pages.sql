-- unique: one kept page per article (canonical_url).
select
    canonical_url,
    count(*) as copies
from raw_pages
group by all
having count(*) > 1
order by all
