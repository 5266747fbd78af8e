-- unique: one count per article and keyword (canonical_url, keyword).
select
    canonical_url,
    keyword,
    count(*) as copies
from keyword_mentions
group by all
having count(*) > 1
order by all
