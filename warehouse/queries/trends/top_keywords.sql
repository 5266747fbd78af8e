-- The top keywords of each day within the last $days days of stories, in scope $scope.
with latest as (
    select max(day) as last_day
    from keyword_trends_daily
    where scope = $scope
),

ranked as (
    select
        trends.day,
        trends.keyword,
        trends.stories,
        trends.mentions,
        trends.share,
        row_number() over (
            partition by trends.day order by trends.stories desc, trends.mentions desc, trends.keyword
        ) as rank
    from keyword_trends_daily as trends, latest
    where trends.scope = $scope and trends.day > latest.last_day - cast($days as integer)
)

select day, rank, keyword, stories, mentions, round(share, 3) as share
from ranked
where rank <= $top
order by day desc, rank
