-- What other workers still hold: pending entries under a lease that has not run out, and when
-- the first of those leases ends.
select count(*) as leased, min(lease_until) as first_expiry
from backfill_queue
where job_id = $job_id
  and status = 'pending'
  and lease_until >= $now
  and claimed_by <> $worker
