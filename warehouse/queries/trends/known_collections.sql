-- The collections the warehouse knows (the tags of the run that started last), with their outlets.
select
    collection,
    count(distinct source) as outlets
from feed_collections
group by collection
order by collection
