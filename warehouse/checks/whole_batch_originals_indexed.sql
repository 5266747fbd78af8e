-- whole batch: every original is in the duplicate index (dedup_keys), committed with it, so a
-- later copy finds it; an original without keys is half a batch.
with indexed as (
    select distinct canonical_url
    from dedup_keys
)

select
    canonical_url,
    run_id
from articles
anti join indexed using (canonical_url)
where duplicate_of is null
order by canonical_url
