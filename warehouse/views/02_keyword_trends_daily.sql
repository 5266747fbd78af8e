-- Keyword trends: per day and keyword, how many stories mention it and how often.
create or replace view keyword_trends_daily as
with mentions as (
    select
        stories.day,
        keyword_mentions.keyword,
        keyword_mentions.canonical_url,
        keyword_mentions.mentions
    from stories
    inner join keyword_mentions using (canonical_url)
)

select
    day,
    keyword,
    count(distinct canonical_url) as articles,
    sum(mentions) as mentions
from mentions
group by day, keyword
