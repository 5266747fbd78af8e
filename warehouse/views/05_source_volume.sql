-- Each source's volume by day: its stories and its share of the day's stories.
create or replace view source_volume as
with source_days as (
    select
        scope,
        day,
        coalesce(source, '(unknown)') as source,
        count(*) as stories
    from scoped_stories
    group by scope, day, coalesce(source, '(unknown)')
)

select
    scope,
    day,
    source,
    stories,
    sum(stories) over (partition by scope, day) as day_stories,
    stories / sum(stories) over (partition by scope, day) as share
from source_days
