-- unique: one row per run (run_id).
select
    run_id,
    count(*) as copies
from runs
group by all
having count(*) > 1
order by all
