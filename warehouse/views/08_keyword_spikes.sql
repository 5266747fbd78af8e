-- Spikes: days on which a keyword's share of the day's stories is at least `spike_factor` times
-- its average share over the trailing 7 days (days with stories; a day without the keyword counts
-- as 0), from at least `spike_min_stories` stories and `spike_min_sources` sources, once the
-- trailing window holds `spike_min_baseline_days` days. The thresholds are the `[trends]` config
-- the monitor last ran with (table `trend_settings`), else the defaults below.
create or replace view keyword_spikes as
with settings as (
    select
        coalesce(max(value) filter (where name = 'spike_factor'), 3.0) as factor,
        coalesce(max(value) filter (where name = 'spike_min_stories'), 3) as min_stories,
        coalesce(max(value) filter (where name = 'spike_min_sources'), 2) as min_sources,
        coalesce(max(value) filter (where name = 'spike_min_baseline_days'), 3) as min_baseline_days
    from trend_settings
),

day_totals as (
    select
        scope,
        day,
        count(*) as day_stories
    from scoped_stories
    group by scope, day
),

keywords as (
    select distinct keyword
    from keyword_mentions
),

daily as (
    select
        day_totals.scope,
        day_totals.day,
        keywords.keyword,
        coalesce(trends.stories, 0) as stories,
        coalesce(trends.sources, 0) as sources,
        coalesce(trends.share, 0) as share
    from day_totals
    cross join keywords
    left join keyword_trends_daily as trends
        on
            day_totals.scope = trends.scope
            and day_totals.day = trends.day
            and keywords.keyword = trends.keyword
),

baselined as (
    select
        *,
        avg(share) over baseline_window as baseline_share,
        count(*) over baseline_window as baseline_days
    from daily
    window baseline_window as (
        partition by scope, keyword
        order by day
        range between interval 7 days preceding and interval 1 day preceding
    )
)

select
    baselined.scope,
    baselined.day,
    baselined.keyword,
    baselined.stories,
    baselined.sources,
    baselined.share,
    baselined.baseline_share,
    baselined.share / nullif(baselined.baseline_share, 0) as ratio,
    baselined.baseline_days,
    settings.factor
from baselined
cross join settings
where
    baselined.stories >= settings.min_stories
    and baselined.sources >= settings.min_sources
    and baselined.baseline_days >= settings.min_baseline_days
    and baselined.share >= settings.factor * baselined.baseline_share
