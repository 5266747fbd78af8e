-- The runs the workers of a pooled backfill recorded, by run id.
with wanted as (
    select unnest($run_ids::varchar[]) as run_id
)
select runs.*
from runs
join wanted using (run_id)
order by started_at
