-- The next page of the window's relevant articles assigned by their own signals, in publication
-- order after ($after_at, $after_url) (keyset paging): a replay re-assigns them from their stored
-- signals.
select
    event_signals.canonical_url,
    event_signals.published_at,
    event_signals.language,
    event_signals.embedding,
    event_signals.actors,
    event_signals.places,
    event_signals.numbers,
    event_signals.dates,
    event_signals.occasion
from event_signals
inner join articles using (canonical_url)
where articles.relevant
    and ($since is null or cast(coalesce(articles.published_at, articles.fetched_at) as date) >= $since)
    and ($until is null or cast(coalesce(articles.published_at, articles.fetched_at) as date) <= $until)
    and (event_signals.published_at, event_signals.canonical_url) > ($after_at, $after_url)
order by event_signals.published_at, event_signals.canonical_url
limit $limit
