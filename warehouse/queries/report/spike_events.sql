-- The events behind the spikes of scope $scope between $first and $last (days): those with a
-- story of the spike's day that mentions its keyword, the $top of most outlets first (then most
-- reports, the earliest); read by the report and by the spike alerts.
with spikes as (
    select
        day,
        keyword
    from keyword_spikes
    where scope = $scope and day between $first and $last
),

behind as (
    select distinct
        spikes.day,
        spikes.keyword,
        article_events.event_id
    from spikes
    inner join scoped_stories as stories
        on stories.scope = $scope and stories.day = spikes.day
    inner join keyword_mentions
        on
            keyword_mentions.canonical_url = stories.canonical_url
            and keyword_mentions.keyword = spikes.keyword
    inner join article_events on article_events.canonical_url = stories.canonical_url
),

ranked as (
    select
        behind.day,
        behind.keyword,
        events.event_id,
        events.headline,
        events.outlets,
        events.reports,
        events.first_report_at,
        row_number() over (
            partition by behind.day, behind.keyword
            order by events.outlets desc, events.reports desc, events.first_report_at, events.event_id
        ) as rank
    from behind
    inner join events using (event_id)
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
