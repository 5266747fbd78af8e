-- unique: one row per backfill job (job_id, a hash of its arguments).
select
    job_id,
    count(*) as copies
from backfill_jobs
group by all
having count(*) > 1
order by all
