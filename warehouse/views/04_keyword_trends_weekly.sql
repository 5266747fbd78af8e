-- Keyword trends by ISO week (Monday to Sunday): stories, mentions, sources, and the keyword's
-- share of the week's stories.
create or replace view keyword_trends_weekly as
with dated as (
    select
        scope,
        canonical_url,
        source,
        cast(date_trunc('week', day) as date) as week
    from scoped_stories
),

week_totals as (
    select
        scope,
        week,
        count(*) as week_stories
    from dated
    group by scope, week
),

keyword_weeks as (
    select
        dated.scope,
        dated.week,
        keyword_mentions.keyword,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions,
        count(distinct dated.source) as sources
    from dated
    inner join keyword_mentions using (canonical_url)
    group by dated.scope, dated.week, keyword_mentions.keyword
)

select
    keyword_weeks.scope,
    keyword_weeks.week,
    strftime(keyword_weeks.week, '%G-W%V') as iso_week,
    keyword_weeks.keyword,
    keyword_weeks.stories,
    keyword_weeks.mentions,
    keyword_weeks.sources,
    week_totals.week_stories,
    keyword_weeks.stories / week_totals.week_stories as share
from keyword_weeks
inner join week_totals using (scope, week)
