-- The stored originals that share a key (text hash, title, an LSH band) with the Arrow batch
-- `batch_keys`, oldest first: all a batch's articles need to be compared with.
with matched as (
    select distinct dedup_keys.canonical_url
    from dedup_keys
    semi join batch_keys using (key)
)

select
    articles.canonical_url,
    articles.text_hash,
    articles.minhash,
    articles.lead_minhash,
    articles.shingles,
    articles.title_key,
    articles.published_at
from articles
semi join matched using (canonical_url)
where articles.duplicate_of is null
order by articles.fetched_at, articles.canonical_url
