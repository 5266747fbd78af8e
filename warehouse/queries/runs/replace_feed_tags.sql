-- The feeds' tags of the run starting, from the Arrow tables `run_feed_tags` and
-- `run_feed_collections`, in place of the last run's (the collection views join them).
delete from feed_tags;

insert into feed_tags by name
select source, url, country
from run_feed_tags;

delete from feed_collections;

insert into feed_collections by name
select source, collection
from run_feed_collections
