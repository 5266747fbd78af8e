-- A backfill job by id.
select job_id, status, discovered
from backfill_jobs
where job_id = $job_id
