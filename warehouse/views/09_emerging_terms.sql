-- Emerging terms: words and two-word phrases (any, not only the configured keywords) over-
-- represented in the stories of the last `emerging_days` days, against the 8 weeks before them.
-- Each story counts a term once (table `story_terms`, stop words left out per language). The
-- windows end at the latest story, so a backfilled past reads the same as today.
create or replace view emerging_terms as
with settings as (
    select
        cast(coalesce(max(value) filter (where name = 'emerging_days'), 7) as integer) as days,
        coalesce(max(value) filter (where name = 'emerging_min_stories'), 3) as min_stories
    from trend_settings
),

windows as (
    select
        scoped_stories.scope,
        max(scoped_stories.day) as last_day,
        max(scoped_stories.day) - any_value(settings.days) as recent_from,
        max(scoped_stories.day) - any_value(settings.days) - 56 as baseline_from
    from scoped_stories
    cross join settings
    group by scoped_stories.scope
),

windowed as (
    select
        scoped_stories.scope,
        scoped_stories.canonical_url,
        scoped_stories.day > windows.recent_from as recent
    from scoped_stories
    inner join windows using (scope)
    where scoped_stories.day > windows.baseline_from
),

totals as (
    select
        scope,
        count(*) filter (where recent) as recent_total,
        count(*) filter (where not recent) as baseline_total
    from windowed
    group by scope
),

counts as (
    select
        windowed.scope,
        story_terms.term,
        count(*) filter (where windowed.recent) as recent_stories,
        count(*) filter (where not windowed.recent) as baseline_stories
    from windowed
    inner join story_terms using (canonical_url)
    group by windowed.scope, story_terms.term
),

scored as (
    select
        counts.scope,
        counts.term,
        case when contains(counts.term, ' ') then 'phrase' else 'word' end as kind,
        counts.recent_stories,
        counts.baseline_stories,
        counts.recent_stories / totals.recent_total as recent_share,
        counts.baseline_stories / nullif(totals.baseline_total, 0) as baseline_share,
        -- add-one smoothing: a term new in the recent window gets a finite, comparable ratio
        ((counts.recent_stories + 1) / (totals.recent_total + 1))
        / ((counts.baseline_stories + 1) / (totals.baseline_total + 1)) as ratio
    from counts
    inner join totals using (scope)
)

select
    scored.scope,
    windows.recent_from + 1 as since,
    windows.last_day as until,
    scored.term,
    scored.kind,
    scored.recent_stories,
    scored.baseline_stories,
    scored.recent_share,
    scored.baseline_share,
    scored.ratio
from scored
inner join windows using (scope)
cross join settings
where scored.recent_stories >= settings.min_stories and scored.ratio > 1
