-- Move a backfill job on.
update backfill_jobs
set status = $status, discovered = coalesce($discovered, discovered),
    notes = coalesce($notes, notes), updated_at = $now
where job_id = $job_id
