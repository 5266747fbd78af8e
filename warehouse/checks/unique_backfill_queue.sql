-- unique: a job lists each URL once (job_id, canonical_url).
select
    job_id,
    canonical_url,
    count(*) as copies
from backfill_queue
group by all
having count(*) > 1
order by all
