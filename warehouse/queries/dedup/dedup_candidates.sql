-- The stored originals that share a key (text hash, title, an LSH band, a piece) with an article
-- of the Arrow batch `batch_keys`: all a batch's articles need to be compared with, each with the
-- pieces it shares with the batch (to confirm a copy). Pieces (sampled shingles: the keys listed
-- in `batch_pieces`) make a candidate only when one article shares $min_shared of them with it, so
-- that a common phrase does not fetch every article using it. Their fingerprints are read next,
-- by dedup_candidate_prints.sql: joined here, DuckDB built its hash table on `articles`, every
-- original's signatures (1.4 GB at 1M articles), not on these few hundred rows.
with pairs as (
    select
        batch_keys.canonical_url as copy_url,
        dedup_keys.canonical_url,
        dedup_keys.key,
        batch_pieces.key is not null as piece
    from dedup_keys
    join batch_keys using (key)
    left join batch_pieces using (key)
),

candidates as (
    select canonical_url
    from pairs
    group by copy_url, canonical_url
    having bool_or(not piece) or count(*) filter (where piece) >= $min_shared
),

matched as (
    select
        canonical_url,
        list(distinct key) filter (where piece) as pieces
    from pairs
    semi join candidates using (canonical_url)
    group by canonical_url
)

select
    canonical_url,
    pieces
from matched
