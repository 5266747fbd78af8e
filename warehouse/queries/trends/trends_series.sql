-- Keyword series for charts and `sinorus trends`: per day or ISO week ($by), per keyword, the
-- stories, mentions, sources and share, every period of the window present (0 where the keyword
-- had no story, so lines drop to zero instead of skipping a gap). The window is $since..$until,
-- else the last $days days up to the latest story. The keywords are $keywords (lowercase names;
-- [] takes the $top keywords by stories in the window). With $source, only that outlet's stories
-- count and the share is of the outlet's stories in the period.
with bounds as (
    select
        coalesce(cast($since as date), max(day) - cast($days as integer) + 1) as first_day,
        coalesce(cast($until as date), max(day)) as last_day
    from keyword_trends_daily
    where scope = $scope
),

periods as (
    select
        case
            when $by = 'week' then cast(date_trunc('week', first_day) as date) else first_day
        end as first_period,
        case
            when $by = 'week' then cast(date_trunc('week', last_day) as date) else last_day
        end as last_period
    from bounds
),

outlet_days as (
    select
        by_source.day,
        by_source.keyword,
        by_source.stories,
        by_source.mentions,
        volume.stories as outlet_stories
    from keyword_by_source as by_source
    inner join source_volume as volume using (scope, day, source)
    where by_source.scope = $scope and by_source.source = $source
),

outlet_totals as (
    select
        case when $by = 'week' then cast(date_trunc('week', day) as date) else day end as period,
        sum(stories) as total
    from source_volume
    where scope = $scope and source = $source
    group by 1
),

outlet as (
    select
        case
            when $by = 'week' then cast(date_trunc('week', outlet_days.day) as date)
            else outlet_days.day
        end as period,
        outlet_days.keyword,
        sum(outlet_days.stories) as stories,
        sum(outlet_days.mentions) as mentions,
        1 as sources
    from outlet_days
    group by 1, 2
),

observed as (
    select day as period, keyword, stories, mentions, sources, day_stories as total
    from keyword_trends_daily
    where scope = $scope and $by = 'day' and $source is null
    union all
    select week, keyword, stories, mentions, sources, week_stories
    from keyword_trends_weekly
    where scope = $scope and $by = 'week' and $source is null
    union all
    select outlet.period, outlet.keyword, outlet.stories, outlet.mentions, outlet.sources, outlet_totals.total
    from outlet
    inner join outlet_totals using (period)
    where $source is not null
),

windowed as (
    select observed.*
    from observed, periods
    where observed.period between periods.first_period and periods.last_period
),

ranked as (
    select
        keyword,
        row_number() over (order by sum(stories) desc, sum(mentions) desc, keyword) as rank
    from windowed
    group by keyword
),

chosen as (
    select keyword
    from ranked
    where len(cast($keywords as varchar[])) = 0 and rank <= $top
    union
    -- a keyword asked for by name is charted (at zero) even when it has no story in the window
    select distinct keyword
    from keyword_mentions
    where list_contains(cast($keywords as varchar[]), lower(keyword))
),

calendar as (
    select cast(unnest(generate_series(
        periods.first_period,
        periods.last_period,
        case when $by = 'week' then interval 7 day else interval 1 day end
    )) as date) as period
    from periods
)

select
    calendar.period,
    chosen.keyword,
    coalesce(windowed.stories, 0) as stories,
    coalesce(windowed.mentions, 0) as mentions,
    coalesce(windowed.sources, 0) as sources,
    windowed.total,
    coalesce(windowed.stories / windowed.total, 0) as share
from calendar
cross join chosen
left join windowed using (period, keyword)
order by calendar.period, chosen.keyword
