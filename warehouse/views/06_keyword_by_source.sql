-- Which sources drive a keyword: per day, keyword and source, the stories and mentions, and the
-- source's share of the keyword's stories that day (a spike from one prolific outlet shows here).
create or replace view keyword_by_source as
with source_keywords as (
    select
        scoped_stories.scope,
        scoped_stories.day,
        keyword_mentions.keyword,
        coalesce(scoped_stories.source, '(unknown)') as source,
        count(*) as stories,
        sum(keyword_mentions.mentions) as mentions
    from scoped_stories
    inner join keyword_mentions using (canonical_url)
    group by all
)

select
    scope,
    day,
    keyword,
    source,
    stories,
    mentions,
    sum(stories) over (partition by scope, day, keyword) as keyword_stories,
    stories / sum(stories) over (partition by scope, day, keyword) as share_of_keyword
from source_keywords
