-- Events: one row each, from its reports (article_events: every stored relevant article, copies
-- included). The headline is the first report's title (publication time, then URL): the outlet
-- that broke it, in its own language; cheaper and steadier than the most central report, and
-- what an analyst reads first. Outlets are distinct sources; top keywords are the five keywords
-- the most of its reports mention (then by name); collections are those of its outlets' feeds
-- (feed_collections: today's tags, so a re-tagged feed re-labels its past events).
create or replace view events as
with reports as (
    select
        article_events.event_id,
        article_events.canonical_url,
        article_events.published_at,
        article_events.method,
        articles.title,
        coalesce(articles.source, '(unknown)') as source,
        articles.language
    from article_events
    inner join articles using (canonical_url)
),

keywords as (
    select
        reports.event_id,
        keyword_mentions.keyword,
        count(*) as reports
    from reports
    inner join keyword_mentions using (canonical_url)
    group by reports.event_id, keyword_mentions.keyword
),

collections as (
    select
        reports.event_id,
        list(distinct feed_collections.collection order by feed_collections.collection)
            as collections
    from reports
    inner join feed_collections using (source)
    group by reports.event_id
),

top_keywords as (
    select
        event_id,
        list(keyword order by reports desc, keyword)[1:5] as top_keywords
    from keywords
    group by event_id
)

select
    reports.event_id,
    min(reports.published_at) as first_report_at,
    max(reports.published_at) as last_report_at,
    first(reports.title order by reports.published_at, reports.canonical_url) as headline,
    count(*) as reports,
    count(*) filter (where reports.method <> 'copy') as originals,
    count(distinct reports.source) as outlets,
    list(distinct reports.language order by reports.language)
        filter (where reports.language is not null) as languages,
    coalesce(any_value(collections.collections), []) as collections,
    coalesce(any_value(top_keywords.top_keywords), []) as top_keywords
from reports
left join collections using (event_id)
left join top_keywords using (event_id)
group by reports.event_id
