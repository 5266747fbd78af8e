-- How far a job has come: queue entries by status.
select status, count(*) as urls
from backfill_queue
where job_id = $job_id
group by status
order by status
