"""A bench lake: the synthetic articles in large commits, the other tables, a day of small commits.

The lake is made as a first run makes it (the seed baseline), then filled through
`warehouse.writer` and Arrow in commits of COMMIT_ROWS articles made by `synthetic.make_chunk` in
spawned worker processes; feeds, runs and page failures in proportion to the size. A sample of the
stored fingerprints and keys is compared with `fingerprint()` and `index_keys()` (the run stops
if one differs). bench/trends.py builds its lake with `build` too.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.lakebench.shape import BATCH, DAYS, SEED
from bench.lakebench.synthetic import CHUNK, make_chunk
from bench.timing import clock

COMMIT_ROWS = 100_000  # articles per bulk commit


def seed_loader():
    """Return the function that loads the seed baseline outside a flow."""
    from tasks.seeds import load_seeds

    return load_seeds


def other_tables(con, size: int, settings, end) -> None:
    """Insert feeds, runs and page failures in proportion to the size."""
    from datetime import timedelta

    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng([SEED, 20, size])
    feeds = []
    for k, feed in enumerate(settings.feeds):
        failed = k in (3, 11)
        feeds.append(
            (
                feed.url,
                feed.name,
                None,
                None,
                None,
                "failed" if failed else "ok",
                "HTTP 503" if failed else None,
                503 if failed else 200,
                25,
                end,
                end - timedelta(days=2 if failed else 0),
                4 if failed else 0,
            )
        )
    con.executemany(
        "insert into feeds (url, name, etag, last_modified, body_hash, last_status, last_error, "
        "http_status, entries_last, last_checked_at, last_ok_at, consecutive_failures) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        feeds,
    )
    runs = max(10, size // 100)
    started = [end - timedelta(minutes=30 * (runs - r)) for r in range(runs)]
    con.register(
        "bench_runs",
        pa.table(
            {
                "run_id": [f"{r:032x}" for r in range(runs)],
                "flow": ["monitor"] * runs,
                "started_at": pa.array(started, pa.timestamp("us")),
                "finished_at": pa.array(
                    [s + timedelta(minutes=3) for s in started], pa.timestamp("us")
                ),
                "status": ["completed"] * runs,
                "stored": [size // runs] * runs,
            }
        ),
    )
    con.execute("insert into runs by name select * from bench_runs")
    count = max(20, size // 50)
    last = [end - timedelta(hours=float(h)) for h in rng.uniform(0, 24 * 60, count)]
    con.register(
        "bench_failures",
        pa.table(
            {
                "canonical_url": [
                    f"https://failed{k % 50}.example.com/page-{k}" for k in range(count)
                ],
                "url": [f"https://failed{k % 50}.example.com/page-{k}" for k in range(count)],
                "origin": ["monitor"] * count,
                "stage": ["fetch"] * count,
                "reason": ["HTTP 404"] * count,
                "http_status": [404] * count,
                "transient": [False] * count,
                "attempts": [1] * count,
                "first_failed_at": pa.array(last, pa.timestamp("us")),
                "last_failed_at": pa.array(last, pa.timestamp("us")),
                # Not due yet: a run's plan is then exactly the entries it is given.
                "retry_after": pa.array(
                    [end + timedelta(hours=float(h)) for h in rng.uniform(2, 26, count)],
                    pa.timestamp("us"),
                ),
            }
        ),
    )
    con.execute("insert into page_failures by name select * from bench_failures")


def insert_tables(con, tables: list[dict]) -> None:
    """Insert concatenated chunk tables (articles, mentions, keys) on a writer connection."""
    import pyarrow as pa

    for name, target in (
        ("articles", "articles"),
        ("mentions", "keyword_mentions"),
        ("keys", "dedup_keys"),
    ):
        con.register("bench_rows", pa.concat_tables([t[name] for t in tables]))
        con.execute(f"insert into {target} by name select * from bench_rows")
        con.unregister("bench_rows")


def build(lake, size: int, settings, workers: int, end_ts: float) -> dict:
    """Return what went into a new lake of `size` synthetic articles, with the time it took."""
    from concurrent.futures import ProcessPoolExecutor
    from datetime import UTC, datetime
    from itertools import repeat
    from multiprocessing import get_context

    from warehouse import writer

    load_seeds = seed_loader()
    end = datetime.fromtimestamp(end_ts, UTC).replace(tzinfo=None)
    started = time.perf_counter()
    load_seeds(lake, settings)  # creates the lake, as a first run does
    firsts = list(range(0, size, CHUNK))
    counts = [min(CHUNK, size - f) for f in firsts]
    pending: list[dict] = []
    samples: list[dict] = []
    inserting = 0.0
    commits = 0

    def flush() -> None:
        nonlocal pending, inserting, commits
        mark = time.perf_counter()
        with writer(
            lake, "bench build", {"rows": sum(t["articles"].num_rows for t in pending)}
        ) as con:
            insert_tables(con, pending)
        inserting += time.perf_counter() - mark
        commits += 1
        pending = []

    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for tables in pool.map(
            make_chunk, firsts, counts, repeat(size), repeat(end_ts), repeat(settings.dedup)
        ):
            samples.extend(tables.pop("sample"))
            pending.append(tables)
            if sum(t["articles"].num_rows for t in pending) >= COMMIT_ROWS:
                flush()
                print(
                    f"    {min(size, commits * COMMIT_ROWS):,} articles in ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    if pending:
        flush()
    with writer(lake, "bench other tables") as con:
        other_tables(con, size, settings, end)
    return {
        "build_s": time.perf_counter() - started,
        "insert_s": inserting,
        "bulk_commits": commits,
        "samples": samples,
    }


def check_sample(lake, samples: list[dict], dedup) -> int:
    """Return how many sampled articles' stored fingerprints and keys equal the real ones."""
    from tasks.dedup import fingerprint, index_keys, to_bytes
    from warehouse import reader

    urls = [s["url"] for s in samples]
    with reader(lake) as con:
        stored = {
            row[0]: row[1:]
            for row in con.execute(
                "select canonical_url, text_hash, minhash, lead_minhash, shingles, title_key "
                "from articles where canonical_url in (select unnest($urls::varchar[]))",
                {"urls": urls},
            ).fetchall()
        }
        keys: dict[str, list[int]] = {}
        for url, key in con.execute(
            "select canonical_url, key from dedup_keys where canonical_url in (select unnest($urls::varchar[]))",
            {"urls": urls},
        ).fetchall():
            keys.setdefault(url, []).append(key)
    for s in samples:
        fp = fingerprint(s["text"], s["title"], s["source"], None, dedup)
        made = (fp.text_hash, to_bytes(fp.minhash), to_bytes(fp.lead), fp.shingles, fp.title_key)
        got = stored[s["url"]]
        if made != (got[0], bytes(got[1]), bytes(got[2]), got[3], got[4]):
            sys.exit(f"{s['url']}: the bulk fingerprint differs from fingerprint()")
        if sorted(index_keys(fp, dedup)) != sorted(keys.get(s["url"], [])):
            sys.exit(f"{s['url']}: the stored dedup_keys differ from index_keys()")
    return len(samples)


def tail_commits(lake, count: int, end_ts: float, dedup) -> float:
    """Return the seconds of `count` small commits of 50 synthetic articles: the last day's
    batches (the monitor every half hour), as they stand before the nightly maintenance."""
    from warehouse import writer

    per_day = 48 * BATCH
    total = per_day * DAYS
    with clock() as took:
        for n in range(count):
            first = total - per_day + (n % 48) * BATCH
            tables = make_chunk(first, BATCH, total, end_ts, dedup, tag=f"t{n}-")
            tables.pop("sample")
            with writer(lake, "batch", {"run_id": f"tail{n}"}) as con:
                insert_tables(con, [tables])
    return took.wall


def lake_counts(lake) -> dict[str, int]:
    """Return the row counts of the big tables and the data files' bytes on disk."""
    from warehouse import reader

    counts = {}
    with reader(lake) as con:
        for table in ("articles", "keyword_mentions", "dedup_keys"):
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        counts["originals"] = con.execute(
            "select count(*) from articles where duplicate_of is null"
        ).fetchone()[0]
        counts["stories"] = con.execute("select count(*) from stories").fetchone()[0]
    counts["disk_bytes"] = sum(p.stat().st_size for p in Path(lake.data_path).rglob("*.parquet"))
    counts["disk_files"] = sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))
    return counts
