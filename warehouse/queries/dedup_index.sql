-- What the duplicate index is rebuilt from: every article that is not itself a duplicate, with
-- its stored fingerprint (rows from before migration 002 have none and bring their text instead).
select
    canonical_url,
    text_hash,
    minhash,
    lead_minhash,
    shingles,
    title_key,
    published_at,
    case when lead_minhash is null then text end as text,
    title,
    source
from articles
where duplicate_of is null
order by fetched_at, canonical_url
