-- The events for `sinorus events`: those with a report in [$since, $until] (either null: open),
-- whose reports mention keyword $keyword (null: any), with a report from collection $collection
-- (null: any) and at least $min_outlets outlets; the most covered first.
with keyed as (
    select distinct article_events.event_id
    from article_events
    inner join keyword_mentions using (canonical_url)
    where keyword_mentions.keyword = $keyword
),

collected as (
    select distinct article_events.event_id
    from article_events
    inner join articles using (canonical_url)
    inner join feed_collections on articles.source = feed_collections.source
    where feed_collections.collection = $collection
)

select
    events.event_id,
    strftime(events.first_report_at, '%Y-%m-%d %H:%M') as first_report,
    strftime(events.last_report_at, '%Y-%m-%d %H:%M') as last_report,
    events.outlets,
    events.reports,
    array_to_string(events.languages, ' ') as languages,
    array_to_string(events.top_keywords, ', ') as top_keywords,
    events.headline
from events
where
    events.outlets >= $min_outlets
    and ($since is null or events.last_report_at >= cast($since as timestamp))
    and ($until is null or events.first_report_at < cast($until as timestamp) + interval 1 day)
    and ($keyword is null or events.event_id in (select keyed.event_id from keyed))
    and ($collection is null or events.event_id in (select collected.event_id from collected))
order by events.outlets desc, events.reports desc, events.first_report_at desc, events.event_id
limit $limit
