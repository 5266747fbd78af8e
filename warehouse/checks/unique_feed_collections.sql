-- unique: a feed is in a collection once (source, collection).
select
    source,
    collection,
    count(*) as copies
from feed_collections
group by all
having count(*) > 1
order by all
