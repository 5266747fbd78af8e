-- unique: one row per feed (url).
select
    url,
    count(*) as copies
from feeds
group by all
having count(*) > 1
order by all
