-- A run's batch commit is also its sign of life.
update runs
set heartbeat_at = $now
where run_id = $run_id
