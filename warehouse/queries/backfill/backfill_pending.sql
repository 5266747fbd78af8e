-- The queue entries of a job still to do: never tried, or failed for a passing reason. Those
-- already in the warehouse (stored by the monitor or another job) are marked 'known' first.
select canonical_url, url, source, title, published_at, date_source, seen_at
from backfill_queue
where job_id = $job_id
  and (status = 'pending' or (status = 'failed' and reason like 'transient:%'))
order by coalesce(published_at, seen_at) desc nulls last, canonical_url
