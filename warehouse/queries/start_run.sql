-- A run begins.
insert into runs (run_id, flow, started_at, status)
values ($run_id, $flow, $now, 'running')
