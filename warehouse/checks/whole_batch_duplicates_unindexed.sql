-- whole batch: no duplicate is in the duplicate index (dedup_keys): only originals are
-- candidates, and a copy's keys would make later copies point at a copy.
with indexed as (
    select
        canonical_url,
        count(*) as index_keys
    from dedup_keys
    group by canonical_url
)

select
    articles.canonical_url,
    articles.duplicate_of,
    indexed.index_keys
from articles
inner join indexed on articles.canonical_url = indexed.canonical_url
where articles.duplicate_of is not null
order by articles.canonical_url
