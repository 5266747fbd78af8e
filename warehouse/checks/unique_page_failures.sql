-- unique: one row per failing page (canonical_url): a failure again counts an attempt.
select
    canonical_url,
    count(*) as copies
from page_failures
group by all
having count(*) > 1
order by all
