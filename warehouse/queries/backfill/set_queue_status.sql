-- Record what became of queue entries, from the Arrow batch `batch_status`.
update backfill_queue
set status = batch_status.status, reason = batch_status.reason, updated_at = $now
from batch_status
where backfill_queue.job_id = $job_id
  and backfill_queue.canonical_url = batch_status.canonical_url
