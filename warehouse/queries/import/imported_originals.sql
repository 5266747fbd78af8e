-- What the duplicate index needs of the articles $urls: their stored fingerprint, or, for rows
-- stored before fingerprints were kept, what to compute it from.
select
    canonical_url,
    text_hash,
    minhash,
    lead_minhash,
    shingles,
    title_key,
    text,
    title,
    source,
    published_at
from articles
where canonical_url in (select unnest($urls::varchar[]))
order by canonical_url
