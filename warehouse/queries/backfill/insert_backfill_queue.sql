-- What discovery found, from the Arrow batch `batch_queue`; a URL listed twice is queued once.
insert into backfill_queue by name
select batch_queue.*
from batch_queue
anti join backfill_queue using (job_id, canonical_url)
