-- whole batch: every relevant article (copies included) fetched since the lake assigns events
-- (migration 011 applied) has its event, committed with it in its batch. An article fetched
-- before, or imported from an older warehouse, gets one from `sinorus replay` over its window and
-- is not asked for one here; a replay under way leaves its window without events until it ends.
select
    articles.canonical_url,
    articles.run_id
from articles
anti join article_events using (canonical_url)
where articles.relevant
    and articles.fetched_at >= (
        select min(schema_migrations.applied_at)
        from schema_migrations
        where schema_migrations.version = 11
    )
order by articles.canonical_url
