-- The vocabularies: the values each text column may hold (tasks/records.py holds the same
-- lists; tests/test_contract.py keeps them equal). DuckLake has no CHECK constraints, so the view
-- `vocabulary_violations` lists any stored value outside its column's list instead.

create table vocabularies (
    column_name varchar not null,  -- table.column
    value       varchar not null
);

insert into vocabularies (column_name, value) values
    ('articles.origin', 'seed'),
    ('articles.origin', 'monitor'),
    ('articles.origin', 'backfill'),
    ('articles.date_source', 'page'),
    ('articles.date_source', 'feed'),
    ('articles.date_source', 'listing'),
    ('articles.date_source', 'sighting'),
    ('articles.date_source', 'seed'),
    ('articles.date_source', 'none'),
    ('articles.dup_method', 'text_hash'),
    ('articles.dup_method', 'minhash'),
    ('articles.dup_method', 'containment'),
    ('articles.dup_method', 'title'),
    ('page_failures.origin', 'seed'),
    ('page_failures.origin', 'monitor'),
    ('page_failures.origin', 'backfill'),
    ('page_failures.stage', 'fetch'),
    ('page_failures.stage', 'extract'),
    ('feeds.last_status', 'ok'),
    ('feeds.last_status', 'not_modified'),
    ('feeds.last_status', 'unchanged'),
    ('feeds.last_status', 'failed'),
    ('runs.flow', 'monitor'),
    ('runs.flow', 'backfill'),
    ('runs.flow', 'replay'),
    ('runs.status', 'running'),
    ('runs.status', 'completed'),
    ('runs.status', 'failed'),
    ('backfill_jobs.source', 'feeds'),
    ('backfill_jobs.source', 'sitemaps'),
    ('backfill_jobs.source', 'gdelt'),
    ('backfill_jobs.source', 'urls'),
    ('backfill_jobs.undated', 'drop'),
    ('backfill_jobs.undated', 'sighting'),
    ('backfill_jobs.status', 'discovering'),
    ('backfill_jobs.status', 'discovered'),
    ('backfill_jobs.status', 'completed'),
    ('backfill_queue.date_source', 'feed'),
    ('backfill_queue.date_source', 'listing'),
    ('backfill_queue.status', 'pending'),
    ('backfill_queue.status', 'stored'),
    ('backfill_queue.status', 'duplicate'),
    ('backfill_queue.status', 'irrelevant'),
    ('backfill_queue.status', 'known'),
    ('backfill_queue.status', 'out_of_window'),
    ('backfill_queue.status', 'undated'),
    ('backfill_queue.status', 'failed');
