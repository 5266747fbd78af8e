-- A live worker's heartbeat: every URL it holds of the job and has not committed yet gets the
-- new lease (the same renewal a claim gives), so that waiting (for the commit slot, a slow host)
-- never lets another worker take a batch this one is still working on.
update backfill_queue
set lease_until = $lease_until
where job_id = $job_id
  and status = 'pending'
  and claimed_by = $worker
