-- A run found dead while still marked running.
update runs
set status = 'crashed', error = $error, finished_at = $now
where run_id = $run_id and status = 'running'
