"""The prototypes' tables and queries: the fixes proposed for what misses its goal, in the bench
lake only (`proto_*` tables; the project's tables and queries are untouched).

Trends from keyword mentions that carry their story's day and whether they count; the README's
duplicate listing bounded to 30 days; and for a batch commit (prototypes.proto_write): the keys
with the time their original was stored and the originals' fingerprints, both in time order with
small Parquet row groups so that a time filter skips the rest, exact copies of any age by an
8-byte text key, stored URLs by an 8-byte key.
"""

from __future__ import annotations

from bench.lakebench.queries import VIEWS

PROTO_WINDOW_DAYS = 30
# The keys with the time their original was stored (its fetched_at), in time order as the
# monitor writes them; the text-hash keys alone (every age); a 64-bit key per stored URL.
# Both are written with small row groups (DuckLake's parquet_row_group_size, per table), so that a
# time filter skips all but the newest few; proto_fingerprints holds what dedup_candidates reads
# of `articles` (the originals), as `articles` itself would with that option.
PROTO_TABLES = """
create table proto_keys (key bigint, canonical_url varchar, stored_at timestamp);
create table proto_fingerprints (
    canonical_url varchar, stored_at timestamp, text_hash varchar, minhash blob,
    lead_minhash blob, shingles integer, title_key varchar, published_at timestamp
)"""
PROTO_ROW_GROUPS = {"proto_keys": 65_536, "proto_fingerprints": 8_192}
PROTO_KEYS = """
insert into proto_keys
select dedup_keys.key, dedup_keys.canonical_url, articles.fetched_at
from dedup_keys
inner join articles using (canonical_url)
order by articles.fetched_at;
insert into proto_fingerprints
select canonical_url, fetched_at, text_hash, minhash, lead_minhash, shingles, title_key,
    published_at
from articles
where duplicate_of is null
order by fetched_at"""
# Keyword mentions carrying their story's day and whether it counts (relevant, not a duplicate):
# what load, rescore and re-extraction would write, so that trends need no join.
PROTO_MENTIONS = """
create table proto_mentions as
select
    cast(coalesce(articles.published_at, articles.fetched_at) as date) as day,
    keyword_mentions.keyword,
    keyword_mentions.canonical_url,
    keyword_mentions.mentions,
    articles.relevant and articles.duplicate_of is null as counted
from keyword_mentions
inner join articles using (canonical_url)
order by day"""
PROTO_TRENDS = """
create view proto_trends as
select day, keyword, count(*) as articles, sum(mentions) as mentions
from proto_mentions
where counted
group by day, keyword"""
# dedup_candidates, near-duplicate layers within the window: both scans skip older files and
# row groups by their min/max statistics.
PROTO_CANDIDATES = """
with matched as (
    select distinct proto_keys.canonical_url
    from proto_keys
    semi join batch_keys using (key)
    where proto_keys.stored_at >= $since
)

select
    proto_fingerprints.canonical_url,
    proto_fingerprints.text_hash,
    proto_fingerprints.minhash,
    proto_fingerprints.lead_minhash,
    proto_fingerprints.shingles,
    proto_fingerprints.title_key,
    proto_fingerprints.published_at
from proto_fingerprints
semi join matched using (canonical_url)
where proto_fingerprints.stored_at >= $since
order by proto_fingerprints.stored_at, proto_fingerprints.canonical_url"""
# Exact copies of any age: the text-hash keys alone, one 8-byte key per original.
PROTO_TEXT = "select key from proto_text semi join batch_text using (key)"
PROTO_TEXT_URLS = (
    "select key, canonical_url from proto_text where key in (select unnest($keys::bigint[]))"
)
# stored_urls on 8-byte keys (a URL's key matched is a URL stored: 2^-64 per pair to be wrong).
PROTO_STORED = "select key from proto_urls semi join batch_urls using (key)"


def proto_queries() -> dict[str, tuple[str, dict | None]]:
    """Return the daily-trend queries on `proto_trends`, and README 4 bounded to 30 days.

    (The README's questions and `sinorus trends` read the views' columns since issue 10 -- scope,
    stories, share -- which the prototype table does not have: they are timed on the views only.)
    """
    queries = {
        f"P {name}": (VIEWS[name].replace("keyword_trends_daily", "proto_trends"), None)
        for name in ["keyword_trends_daily: count(*)", "keyword_trends_daily: 1 keyword, 90 days"]
    }
    queries["P README 4, last 30 days"] = (
        """
select a.url, a.similarity, a.dup_method, o.title as original
from articles a join articles o on o.canonical_url = a.duplicate_of
where a.fetched_at > now() - interval 30 days order by a.fetched_at desc""",
        None,
    )
    return queries


def make_prototypes(lake) -> None:
    """Add the prototype tables and view to the lake, filled from its articles."""
    import pyarrow as pa

    from tasks.dedup import _key
    from warehouse import reader, writer

    with reader(lake) as con:
        rows = con.execute(
            "select canonical_url, text_hash, duplicate_of is null from articles order by fetched_at"
        ).fetchall()
    text = pa.table(
        {
            "key": pa.array([_key(b"text", h.encode()) for _, h, o in rows if o], pa.int64()),
            "canonical_url": [u for u, _, o in rows if o],
        }
    )
    urls = pa.table(
        {
            "key": pa.array([_key(b"url", u.encode()) for u, _, _ in rows], pa.int64()),
            "canonical_url": [u for u, _, _ in rows],
        }
    )
    del rows
    with writer(lake, "bench prototype tables") as con:
        con.execute(PROTO_TABLES)
    with writer(lake, "bench prototype options") as con:
        alias = con.execute("select current_database()").fetchone()[0]
        for table, rows in PROTO_ROW_GROUPS.items():
            con.execute(
                f"call {alias}.set_option('parquet_row_group_size', {rows}, table_name => '{table}')"
            )
    with writer(lake, "bench prototypes") as con:
        con.execute(PROTO_KEYS)
        con.execute(PROTO_MENTIONS)
        con.execute(PROTO_TRENDS)
        con.register("bench_text", text)
        con.execute("create table proto_text as select * from bench_text")
        con.register("bench_urls", urls)
        con.execute("create table proto_urls as select * from bench_urls")
