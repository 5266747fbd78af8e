-- not_null: every original has the fingerprint a later copy is compared with (its two MinHash
-- signatures and its shingle count); an import fingerprints old rows that lack one.
select
    canonical_url,
    minhash is null as no_minhash,
    lead_minhash is null as no_lead_minhash,
    shingles is null as no_shingles
from articles
where
    duplicate_of is null
    and (minhash is null or lead_minhash is null or shingles is null)
order by canonical_url
