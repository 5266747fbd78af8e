-- unique: an article is in one event (canonical_url).
select
    canonical_url,
    count(*) as copies
from article_events
group by all
having count(*) > 1
order by all
