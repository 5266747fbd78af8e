-- After a replay re-assigned its window's originals: each relevant copy dated in [$since, $until]
-- without an event joins its original's (method 'copy', its duplicate similarity).
insert into article_events by name
select
    copies.canonical_url,
    original_event.event_id,
    coalesce(copies.similarity, 1.0) as similarity,
    'copy' as method,
    json_object('copy_of', copies.duplicate_of, 'dup_method', copies.dup_method) as evidence,
    coalesce(copies.published_at, copies.fetched_at) as published_at,
    $run_id as run_id,
    $now as assigned_at
from articles as copies
inner join article_events as original_event on copies.duplicate_of = original_event.canonical_url
where copies.relevant
    and copies.duplicate_of is not null
    and ($since is null or cast(coalesce(copies.published_at, copies.fetched_at) as date) >= $since)
    and ($until is null or cast(coalesce(copies.published_at, copies.fetched_at) as date) <= $until)
    and copies.canonical_url not in (select canonical_url from article_events)
