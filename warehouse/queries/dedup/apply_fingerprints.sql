-- Fingerprints for imported articles stored before they were kept, from the Arrow batch
-- `fingerprints`.
update articles
set
    minhash = fingerprints.minhash,
    lead_minhash = fingerprints.lead_minhash,
    shingles = fingerprints.shingles,
    title_key = fingerprints.title_key
from fingerprints
where articles.canonical_url = fingerprints.canonical_url
