-- The report's header numbers for scope $scope: stories, sources, first and latest story day,
-- and the latest run.
with counted as (
    select
        count(*) as stories,
        count(distinct source) as sources,
        min(day) as first_day,
        max(day) as last_day
    from stories
    where $scope = 'all' or origin <> 'seed'
),

last_run as (
    select started_at, status
    from runs
    order by started_at desc
    limit 1
)

select
    counted.stories,
    counted.sources,
    counted.first_day,
    counted.last_day,
    last_run.started_at as last_run_at,
    last_run.status as last_run_status
from counted
left join last_run on true
