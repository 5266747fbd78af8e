-- Keyword mentions from the Arrow batch `batch_mentions`, skipping pairs already stored.
insert into keyword_mentions by name
select batch_mentions.*
from batch_mentions
anti join keyword_mentions using (canonical_url, keyword)
