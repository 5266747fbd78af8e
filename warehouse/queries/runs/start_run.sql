-- A run begins, on this host and process.
insert into runs (run_id, flow, started_at, status, host, pid)
values ($run_id, $flow, $now, 'running', $host, $pid)
