-- unique: one row of tags per feed (source), as a run start writes them.
select
    source,
    count(*) as copies
from feed_tags
group by all
having count(*) > 1
order by all
