-- The top keywords of each day within the last $days days of stories.
with latest as (
    select max(day) as last_day
    from keyword_trends_daily
),

ranked as (
    select
        trends.day,
        trends.keyword,
        trends.articles,
        trends.mentions,
        row_number() over (
            partition by trends.day order by trends.articles desc, trends.mentions desc, trends.keyword
        ) as rank
    from keyword_trends_daily as trends, latest
    where trends.day > latest.last_day - cast($days as integer)
)

select day, rank, keyword, articles, mentions
from ranked
where rank <= $top
order by day desc, rank
