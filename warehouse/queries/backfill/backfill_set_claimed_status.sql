-- A worker records what became of its batch, from the Arrow batch `batch_status`: only entries
-- it still holds (one whose lease passed to another worker is that worker's to record).
update backfill_queue
set status = batch_status.status, reason = batch_status.reason, lease_until = null,
    updated_at = $now
from batch_status
where backfill_queue.job_id = $job_id
  and backfill_queue.canonical_url = batch_status.canonical_url
  and backfill_queue.claimed_by = $worker
  and backfill_queue.status = 'pending'
