-- Story terms from the Arrow batch `batch_terms`, skipping pairs already stored.
insert into story_terms by name
select batch_terms.*
from batch_terms
anti join story_terms using (canonical_url, term)
