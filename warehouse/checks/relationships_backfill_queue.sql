-- relationships: every queued URL belongs to a stored backfill job (backfill_queue.job_id ->
-- backfill_jobs.job_id).
select
    job_id,
    canonical_url,
    status
from backfill_queue
anti join backfill_jobs using (job_id)
order by job_id, canonical_url
