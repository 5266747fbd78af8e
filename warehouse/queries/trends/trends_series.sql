-- Keyword series for charts and `sinorus trends`: per day or ISO week ($by), per keyword, the
-- stories, mentions, sources and share, every period of the window present (0 where the keyword
-- had no story, so lines drop to zero instead of skipping a gap). The window is $since..$until,
-- else the last $days days up to the latest story. The keywords are $keywords (lowercase names;
-- [] takes the $top keywords by stories in the window). With $source, only that outlet's stories
-- count, and with $collections (names, [] for none) only those of the feeds in any of them
-- (`feed_collections`); the share is then of those stories in the period.
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

picked as (
    select
        case when $by = 'week' then cast(date_trunc('week', day) as date) else day end as period,
        canonical_url,
        source
    from scoped_stories
    where
        scope = $scope
        -- only when narrowed: otherwise the trend views answer
        and ($source is not null or len(cast($collections as varchar[])) > 0)
        and ($source is null or source = $source)
        and (
            len(cast($collections as varchar[])) = 0
            or source in (
                select source
                from feed_collections
                where list_contains(cast($collections as varchar[]), collection)
            )
        )
),

picked_totals as (
    select
        period,
        count(*) as total
    from picked
    group by period
),

picked_keywords as (
    select
        picked.period,
        keyword_mentions.keyword,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions,
        count(distinct picked.source) as sources
    from picked
    inner join keyword_mentions using (canonical_url)
    group by picked.period, keyword_mentions.keyword
),

observed as (
    select day as period, keyword, stories, mentions, sources, day_stories as total
    from keyword_trends_daily
    where
        scope = $scope and $by = 'day'
        and $source is null and len(cast($collections as varchar[])) = 0
    union all
    select week, keyword, stories, mentions, sources, week_stories
    from keyword_trends_weekly
    where
        scope = $scope and $by = 'week'
        and $source is null and len(cast($collections as varchar[])) = 0
    union all
    select
        picked_keywords.period,
        picked_keywords.keyword,
        picked_keywords.stories,
        picked_keywords.mentions,
        picked_keywords.sources,
        picked_totals.total
    from picked_keywords
    inner join picked_totals using (period)
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
