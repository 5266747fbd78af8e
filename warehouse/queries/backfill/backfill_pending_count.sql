-- How many of a job's URLs are still to fetch (claimed or not).
select count(*) as pending
from backfill_queue
where job_id = $job_id
  and status = 'pending'
