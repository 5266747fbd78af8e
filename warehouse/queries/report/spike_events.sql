-- The events behind the spikes listed in the Arrow table `spike_keys` (day, keyword): those with
-- a story of scope $scope of the spike's day that mentions its keyword, the $top of most outlets
-- first (then most reports, the earliest). Counted as the `events` view counts, for these events
-- only (the view aggregates every event of the lake on each read). Read by the report and by the
-- spike alerts, which have their spikes already (keyword_spikes costs more than this).
with behind as (
    select distinct
        spikes.day,
        spikes.keyword,
        article_events.event_id
    from spike_keys as spikes
    inner join scoped_stories as stories
        on stories.scope = $scope and stories.day = spikes.day
    inner join keyword_mentions
        on
            keyword_mentions.canonical_url = stories.canonical_url
            and keyword_mentions.keyword = spikes.keyword
    inner join article_events on article_events.canonical_url = stories.canonical_url
),

counted as (
    select
        article_events.event_id,
        first(
            articles.title order by article_events.published_at, article_events.canonical_url
        ) as headline,
        count(*) as reports,
        count(distinct coalesce(articles.source, '(unknown)')) as outlets,
        min(article_events.published_at) as first_report_at
    from article_events
    semi join behind using (event_id)
    inner join articles using (canonical_url)
    group by article_events.event_id
),

ranked as (
    select
        behind.day,
        behind.keyword,
        counted.event_id,
        counted.headline,
        counted.outlets,
        counted.reports,
        counted.first_report_at,
        row_number() over (
            partition by behind.day, behind.keyword
            order by counted.outlets desc, counted.reports desc, counted.first_report_at, counted.event_id
        ) as rank
    from behind
    inner join counted using (event_id)
)

select
    day,
    keyword,
    event_id,
    headline,
    outlets,
    reports,
    first_report_at
from ranked
where rank <= $top
order by day, keyword, rank
