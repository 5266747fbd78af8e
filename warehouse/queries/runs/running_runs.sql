-- The runs still marked running: some may have died without a word.
select run_id, host, pid, coalesce(heartbeat_at, started_at) as last_sign
from runs
where status = 'running'
