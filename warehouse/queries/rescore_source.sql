-- What a rescore reads: every article's text and current verdict.
select
    canonical_url,
    title,
    text,
    source,
    published_at,
    relevant,
    lead_minhash is null as needs_fingerprint
from articles
order by canonical_url
