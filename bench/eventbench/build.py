"""A lake holding the stream's stored reports with their events, as the commits leave it.

The lake is made by `ensure_warehouse` (the project's migrations, views and table options: 8,192-
row Parquet row groups for event_signals), then `article_events` and `event_signals` are filled
through `warehouse.writer` from Arrow, in publication order, CHUNK rows a commit: files and row
groups each span a stretch of time, as a monitor's batches (merged by maintenance) leave them,
so that a read by time skips the rest. Only the two event tables are filled: the decision reads
nothing else (`articles` and the other tables are bench/lake.py's subject).
"""

from __future__ import annotations

from bench.eventbench.synthetic import (
    LANGUAGE_SHARE,
    LANGUAGES,
    SEED,
    Stream,
    embeddings,
    event_key,
    lexical,
    published,
    url,
)
from bench.timing import clock

CHUNK = 50_000  # stored reports a commit
EVENT_TABLES = ("article_events", "event_signals")


def _binary(matrix):
    """Return the rows of a 2-d array as an Arrow binary array of their bytes (no copy each)."""
    import numpy as np
    import pyarrow as pa

    width = matrix.shape[1] * matrix.itemsize
    offsets = np.arange(len(matrix) + 1, dtype=np.int32) * width
    data = np.ascontiguousarray(matrix).tobytes()
    return pa.Array.from_buffers(
        pa.binary(), len(matrix), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def tables(stream: Stream, lo: int, hi: int):
    """Return the `article_events` and `event_signals` rows of stored reports [lo, hi)."""
    import json
    from datetime import timedelta

    import numpy as np
    import pyarrow as pa

    from tasks.event_assignment import EVENTS, SIGNALS, STORED

    rng = np.random.default_rng([SEED, 10, lo])
    rows = range(lo, hi)
    urls = [url(stream, r) for r in rows]
    when = published(stream, lo, hi)
    ranks, copy_of = stream.rank[lo:hi].tolist(), stream.copy_of[lo:hi].tolist()
    scores = rng.uniform(0.6, 0.95, hi - lo).round(4).tolist()
    method, similarity, evidence = [], [], []
    for rank, of, score in zip(ranks, copy_of, scores, strict=True):
        if of >= 0:
            method.append("copy")
            similarity.append(round(0.85 + score / 6, 4))
            evidence.append(json.dumps({"copy_of": url(stream, of), "dup_method": "minhash"}))
        elif rank == 0:
            method.append("new")
            similarity.append(1.0)
            evidence.append("{}")
        else:
            method.append("joined")
            similarity.append(score)
            evidence.append(
                json.dumps({"actors": 0.1, "cosine": round(score - 0.3, 4), "same_day": 0.2})
            )
    events = pa.Table.from_pydict(
        {
            "canonical_url": urls,
            "event_id": [event_key(stream, e) for e in stream.event[lo:hi].tolist()],
            "similarity": similarity,
            "method": method,
            "evidence": evidence,
            "published_at": when,
            "run_id": [f"{r // 200:032x}" for r in rows],
            "assigned_at": [w + timedelta(minutes=20) for w in when],
        },
        schema=EVENTS,
    )
    own = np.flatnonzero(stream.copy_of[lo:hi] < 0)
    vectors = embeddings(stream, lo, hi)[own].astype(STORED)
    lexicals = lexical(stream, lo, hi)
    languages = rng.choice(len(LANGUAGES), hi - lo, p=np.array(LANGUAGE_SHARE) / 100)
    picked = [lexicals[i] for i in own]
    signals = pa.Table.from_pydict(
        {
            "canonical_url": [urls[i] for i in own],
            "published_at": [when[i] for i in own],
            "language": [LANGUAGES[languages[i]] for i in own],
            "embedding": _binary(vectors),
            "actors": [x[0] for x in picked],
            "places": [x[1] for x in picked],
            "numbers": [x[2] for x in picked],
            "dates": [x[3] for x in picked],
            "occasion": [x[4] for x in picked],
        },
        schema=SIGNALS,
    )
    return events, signals


def build(lake, stream: Stream) -> dict:
    """Return the seconds it took to make the lake and fill it with the stream's stored reports
    (making the rows and inserting them apart), and the rows written."""
    from warehouse import ensure_warehouse, writer

    making = inserting = 0.0
    with clock() as whole:
        ensure_warehouse(lake)
        rows = signal_rows = 0
        for lo in range(0, stream.stored, CHUNK):
            hi = min(stream.stored, lo + CHUNK)
            with clock() as made:
                events, signals = tables(stream, lo, hi)
            with clock() as inserted, writer(lake, "bench events", {"rows": hi - lo}) as con:
                for name, table in zip(EVENT_TABLES, (events, signals), strict=True):
                    con.register("bench_rows", table)
                    con.execute(f"insert into {name} by name select * from bench_rows")
                    con.unregister("bench_rows")
            making, inserting = making + made.wall, inserting + inserted.wall
            rows, signal_rows = rows + events.num_rows, signal_rows + signals.num_rows
    return {
        "build_s": whole.wall,
        "make_s": making,
        "insert_s": inserting,
        "rows": rows,
        "signal_rows": signal_rows,
    }


def stored_bytes(lake) -> dict[str, int]:
    """Return the bytes of each event table's live Parquet files (and rows inlined: none here)."""
    from warehouse import reader

    with reader(lake) as con:
        alias = con.execute("select current_database()").fetchone()[0]
        found = con.execute(
            "select table_name, file_count, file_size_bytes from ducklake_table_info($alias)",
            {"alias": alias},
        ).fetchall()
    out = {}
    for name, files, size in found:
        if name in EVENT_TABLES:
            out[name], out[f"{name}_files"] = size, files
    return out
