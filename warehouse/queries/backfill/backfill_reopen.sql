-- Before a job's workers start: entries that failed for a passing reason are pending again (one
-- more try per run, as a one-process backfill gives them). Leases still running are left alone.
update backfill_queue
set status = 'pending', claimed_by = null, claim_id = null, lease_until = null, updated_at = $now
where job_id = $job_id
  and status = 'failed'
  and reason like 'transient:%'
