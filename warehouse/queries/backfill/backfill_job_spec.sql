-- What a worker needs of its job: the window and the no-date policy, as the job was recorded.
select job_id, source, since, until, undated, arguments, status
from backfill_jobs
where job_id = $job_id
