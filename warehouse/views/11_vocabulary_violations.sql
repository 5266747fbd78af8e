-- Stored values outside their column's vocabulary (the `vocabularies` table): empty when every
-- writer keeps the contract of tasks/records.py.
create or replace view vocabulary_violations as
with stored as (
    select 'articles.origin' as column_name, origin as value from articles
    union all
    select 'articles.date_source', date_source from articles
    union all
    select 'articles.dup_method', dup_method from articles where dup_method is not null
    union all
    select 'page_failures.origin', origin from page_failures
    union all
    select 'page_failures.stage', stage from page_failures
    union all
    select 'page_failures.date_source', date_source from page_failures where date_source is not null
    union all
    select 'feeds.last_status', last_status from feeds where last_status is not null
    union all
    select 'runs.flow', flow from runs
    union all
    select 'runs.status', status from runs
    union all
    select 'backfill_jobs.source', source from backfill_jobs
    union all
    select 'backfill_jobs.undated', undated from backfill_jobs
    union all
    select 'backfill_jobs.status', status from backfill_jobs
    union all
    select 'backfill_queue.date_source', date_source from backfill_queue
    union all
    select 'backfill_queue.status', status from backfill_queue
    union all
    select 'article_events.method', method from article_events
)

select
    stored.column_name,
    coalesce(stored.value, '(null)') as value,
    count(*) as stored_rows
from stored
anti join vocabularies using (column_name, value)
group by all
