-- A replay re-assigns the events of its window: the assignments of the articles dated in
-- [$since, $until] (every date when null) are deleted first, in one commit.
delete from article_events
where canonical_url in (
    select canonical_url
    from articles
    where ($since is null or cast(coalesce(published_at, fetched_at) as date) >= $since)
        and ($until is null or cast(coalesce(published_at, fetched_at) as date) <= $until)
)
