-- A run that ended in an error: say so, and why (only if it was still marked running).
update runs
set status = 'failed', error = $error, finished_at = $now
where run_id = $run_id and status = 'running'
