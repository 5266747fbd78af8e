-- The fingerprints of the candidates dedup_candidates.sql found (the Arrow batch
-- `batch_candidates`: canonical_url, pieces), those still originals, oldest first.
select
    articles.canonical_url,
    articles.text_hash,
    articles.minhash,
    articles.lead_minhash,
    articles.shingles,
    articles.title_key,
    articles.published_at,
    batch_candidates.pieces
from articles
inner join batch_candidates using (canonical_url)
where articles.duplicate_of is null
order by articles.fetched_at, articles.canonical_url
