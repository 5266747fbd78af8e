-- What the duplicate index is rebuilt from: every article that is not itself a duplicate.
select canonical_url, text_hash, minhash
from articles
where duplicate_of is null and minhash is not null
order by fetched_at, canonical_url
