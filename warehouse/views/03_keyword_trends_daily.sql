-- Keyword trends by day: how many stories mention each keyword, how often, from how many sources,
-- and the keyword's share of the day's stories (raw counts mislead when the volume moves).
create or replace view keyword_trends_daily as
with day_totals as (
    select
        scope,
        day,
        count(*) as day_stories
    from scoped_stories
    group by scope, day
),

keyword_days as (
    select
        scoped_stories.scope,
        scoped_stories.day,
        keyword_mentions.keyword,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions,
        count(distinct scoped_stories.source) as sources
    from scoped_stories
    inner join keyword_mentions using (canonical_url)
    group by scoped_stories.scope, scoped_stories.day, keyword_mentions.keyword
)

select
    keyword_days.scope,
    keyword_days.day,
    keyword_days.keyword,
    keyword_days.stories,
    keyword_days.mentions,
    keyword_days.sources,
    day_totals.day_stories,
    keyword_days.stories / day_totals.day_stories as share
from keyword_days
inner join day_totals using (scope, day)
