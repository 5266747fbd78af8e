-- relationships: every duplicate-index key belongs to a stored article (dedup_keys -> articles).
-- The index holds ~130 keys an original: its articles are gathered first.
with indexed as (
    select
        canonical_url,
        count(*) as index_keys
    from dedup_keys
    group by canonical_url
)

select
    canonical_url,
    index_keys
from indexed
anti join articles using (canonical_url)
order by canonical_url
