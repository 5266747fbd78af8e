"""A batch commit as proposed, and the prototypes' measurements (tables: prototype_tables)."""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from bench.lakebench.articles import agreement, batch_articles, outcome, planted_articles
from bench.lakebench.children import run_child
from bench.lakebench.prototype_tables import (
    PROTO_CANDIDATES,
    PROTO_STORED,
    PROTO_TEXT,
    PROTO_TEXT_URLS,
    PROTO_WINDOW_DAYS,
    make_prototypes,
    proto_queries,
)
from bench.lakebench.queries import time_named
from bench.timing import Laps, clock, memory_mb, timed


def proto_write(lake, judged: list, run_id: str, dedup, window_days: float) -> tuple[dict, list]:
    """Return the step times of a batch commit as proposed, and the articles as decided.

    The same as write_batch but: stored URLs found by 8-byte keys; near-duplicate candidates
    only among originals stored within `window_days`; exact copies (text hash) of any age from
    the text keys alone; inserts without anti-joins (the batch's URLs were checked under the
    writer lock, as insert_dedup_keys already assumes).
    """
    from datetime import timedelta

    import pyarrow as pa

    from tasks.dedup import _key, build_index, index_keys, to_bytes
    from tasks.duplicates import KEYS, key_table, match_batch
    from tasks.load import article_table, mention_table, url_table
    from warehouse import sql, writer

    laps = Laps()
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    since = now - timedelta(days=window_days)
    with writer(lake, "batch", {"run_id": run_id}) as con:
        laps.lap("lock + begin")
        urls = [item.article.candidate.canonical_url for item in judged]
        url_keys = [_key(b"url", u.encode()) for u in urls]
        con.register("batch_urls", pa.table({"key": pa.array(url_keys, pa.int64())}))
        found = {row[0] for row in con.execute(PROTO_STORED).fetchall()}
        fresh = [item for item, key in zip(judged, url_keys, strict=True) if key not in found]
        laps.lap("stored_urls (8-byte keys)")
        con.register("batch_keys", key_table(fresh, dedup))
        rows = con.execute(PROTO_CANDIDATES, {"since": since}).fetchall()
        laps.lap(f"candidates within {window_days:.0f} days (SQL)")
        text_keys = {_key(b"text", item.fingerprint.text_hash.encode()): item for item in fresh}
        con.register("batch_text", pa.table({"key": pa.array(list(text_keys), pa.int64())}))
        # Copies of originals already among the candidates need no second look.
        within = {_key(b"text", row[1].encode()) for row in rows}
        matched = [row[0] for row in con.execute(PROTO_TEXT).fetchall() if row[0] not in within]
        older = []
        if matched:
            # An exact copy needs no stored signatures: its text is the batch article's own.
            for key, url in con.execute(PROTO_TEXT_URLS, {"keys": matched}).fetchall():
                fp = text_keys[key].fingerprint
                minhash, lead = to_bytes(fp.minhash), to_bytes(fp.lead)
                older.append((url, fp.text_hash, minhash, lead, fp.shingles, None, None))
        laps.lap("exact copies, any age (SQL)")
        assessed = match_batch(fresh, build_index(older + rows, dedup))
        laps.lap("build_index + match")
        originals = [item for item in assessed if item.duplicate is None]
        keys = key_table(originals, dedup)
        stored_at = {i.article.candidate.canonical_url: i.article.fetched_at for i in originals}
        con.register("batch_articles", article_table(assessed, run_id))
        con.register("batch_mentions", mention_table(assessed))
        con.register("batch_keys", keys)
        con.register(
            "batch_proto_keys",
            keys.append_column(
                "stored_at",
                pa.array(
                    [stored_at[u] for u in keys.column("canonical_url").to_pylist()],
                    pa.timestamp("us"),
                ),
            ),
        )
        con.register(
            "batch_proto_mentions",
            pa.table(
                {
                    "day": pa.array(
                        [
                            (i.article.published_at or i.article.fetched_at).date()
                            for i in assessed
                            for _ in i.mentions
                        ],
                        pa.date32(),
                    ),
                    "keyword": [k for i in assessed for k in i.mentions],
                    "canonical_url": [
                        i.article.candidate.canonical_url for i in assessed for _ in i.mentions
                    ],
                    "mentions": pa.array(
                        [n for i in assessed for n in i.mentions.values()], pa.int32()
                    ),
                    "counted": [i.stored_as_story for i in assessed for _ in i.mentions],
                }
            ),
        )
        con.register(
            "batch_proto_text",
            pa.table(
                {
                    "key": pa.array(
                        [index_keys(i.fingerprint, dedup)[0] for i in originals], pa.int64()
                    ),
                    "canonical_url": [i.article.candidate.canonical_url for i in originals],
                },
                schema=KEYS,
            ),
        )
        con.register(
            "batch_proto_urls",
            pa.table(
                {
                    "key": pa.array(
                        [
                            _key(b"url", i.article.candidate.canonical_url.encode())
                            for i in assessed
                        ],
                        pa.int64(),
                    ),
                    "canonical_url": [i.article.candidate.canonical_url for i in assessed],
                }
            ),
        )
        laps.lap("Arrow tables")
        con.execute("insert into articles by name select * from batch_articles")
        con.execute("insert into keyword_mentions by name select * from batch_mentions")
        con.execute(sql("insert_dedup_keys"))
        laps.lap("inserts: articles, mentions, dedup_keys")
        con.execute("insert into proto_keys by name select * from batch_proto_keys")
        con.execute(
            "insert into proto_fingerprints by name select canonical_url, fetched_at as stored_at, "
            "text_hash, minhash, lead_minhash, shingles, title_key, published_at "
            "from batch_articles where duplicate_of is null"
        )
        con.execute("insert into proto_mentions by name select * from batch_proto_mentions")
        con.execute("insert into proto_text by name select * from batch_proto_text")
        con.execute("insert into proto_urls by name select * from batch_proto_urls")
        laps.lap("inserts: the prototype tables")
        con.register("batch_urls", url_table(urls))  # the prototype's own batch_urls holds keys
        con.execute(sql("clear_failures"))
        laps.lap("clear_failures")
    laps.lap("commit")
    return laps.total(), assessed


def measure_prototypes(lake, settings, planted: list, reference, count: int, repeat: int) -> dict:
    """Return the prototype queries' times and the proposed batch commit's, `count` batches."""
    from datetime import UTC, datetime

    from tasks.assess import judge_batch
    from tasks.duplicates import key_table
    from warehouse import reader

    with clock() as making:
        make_prototypes(lake)
    result: dict = {"build_s": making.wall}
    with reader(lake) as con:
        result["queries"] = time_named(con, proto_queries(), repeat)
        result["window_articles"] = con.execute(
            f"select count(*) from articles where fetched_at >= now() - interval {PROTO_WINDOW_DAYS} days"
        ).fetchone()[0]
    now = datetime.now(UTC).replace(tzinfo=None)
    steps: dict[str, list[float]] = {}
    agree = disagree = 0
    found = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for number in range(200, 200 + count):
        pairs = batch_articles(number, planted, now)
        expected = {a.candidate.canonical_url: want for a, want in pairs}
        judged = judge_batch([a for a, _ in pairs], settings)
        took, assessed = proto_write(
            lake, judged, f"proto{number:027d}", settings.dedup, PROTO_WINDOW_DAYS
        )
        for name, seconds in took.items():
            steps.setdefault(name, []).append(seconds)
        same, different = agreement(assessed, judged, reference)
        agree, disagree = agree + same, disagree + different
        for key, value in outcome(assessed, expected).items():
            found[key] += value
    # The windowed lookup alone, with a window holding the same number of stored articles at
    # every size: what it costs when the ingest rate, not the lake's size, sets the window.
    with reader(lake) as con:
        since = con.execute(
            "select min(fetched_at) from (select fetched_at from articles "
            "order by fetched_at desc limit 1000)"
        ).fetchone()[0]
        con.register("batch_keys", key_table(judged, settings.dedup))
        window = timed(lambda: con.execute(PROTO_CANDIDATES, {"since": since}).fetchall(), repeat)
        con.unregister("batch_keys")
    result["fixed_window_sql"] = window.median
    run = run_child("proto", lake, Path(os.devnull))
    result["run_peak_mb"] = run["peak_mb"]
    result["run_commit"] = statistics.median(run["commits"])
    result["steps"] = {name: statistics.median(v) for name, v in steps.items()}
    result["commit"] = result["steps"]["total"]
    result["agree"], result["disagree"], result["outcome"] = agree, disagree, found
    return result


def proto_child(catalog: str) -> None:
    """Print one JSON line: the peak memory of 5 batches of 50 committed as proposed."""
    from datetime import UTC, datetime

    from config import load_settings
    from tasks.assess import judge_batch
    from tasks.location import lake_of
    from warehouse import ensure_warehouse

    settings = load_settings().with_db(catalog)
    lake = lake_of(settings)
    ensure_warehouse(lake)
    now = datetime.now(UTC).replace(tzinfo=None)
    planted = planted_articles(now)
    commits = []
    for number in range(3000, 3005):
        pairs = batch_articles(number, planted, now, prefix="protorun")
        judged = judge_batch([a for a, _ in pairs], settings)
        steps, _ = proto_write(lake, judged, f"protorun{number}", settings.dedup, PROTO_WINDOW_DAYS)
        commits.append(steps["total"])
    print(json.dumps({"peak_mb": memory_mb("VmHWM"), "commits": commits, "ready_at": time.time()}))
