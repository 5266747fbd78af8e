-- Keyword movements in scope $scope: stories naming each keyword in the last $days days of
-- stories against the $days days before, the change, and the keyword's share of the recent
-- stories; the $top largest changes (the windows end at the latest story, like `emerging_terms`).
with latest as (
    select max(day) as last_day
    from scoped_stories
    where scope = $scope
),

windowed as (
    select
        scoped.canonical_url,
        scoped.day > latest.last_day - cast($days as integer) as recent
    from scoped_stories as scoped
    cross join latest
    where
        scoped.scope = $scope
        and scoped.day > latest.last_day - 2 * cast($days as integer)
),

recent_total as (
    select count(*) as stories
    from windowed
    where recent
),

counts as (
    select
        mentions.keyword,
        count(*) filter (where windowed.recent) as stories,
        count(*) filter (where not windowed.recent) as previous
    from windowed
    inner join keyword_mentions as mentions using (canonical_url)
    group by mentions.keyword
)

select
    counts.keyword,
    counts.stories,
    counts.previous,
    counts.stories - counts.previous as change,
    round(counts.stories / nullif(recent_total.stories, 0), 3) as share
from counts
cross join recent_total
order by abs(counts.stories - counts.previous) desc, counts.stories desc, counts.keyword
limit $top
