"""The event decision of batches of new reports, committed as a batch commit does it.

Each batch goes through `tasks.event_assignment.decide_events` (the stored events around its
publication times loaded, its originals assigned in order, its copies given their original's
event) and `write_events`, inside `warehouse.writer` (the writer lock, one transaction, one
snapshot): what `tasks.load.write_batch` does for events, without the rest of the batch. Before
each batch, on a reader, the candidate loading (`candidates`) and the copies' lookup
(`original_events`) are timed alone, and what they return counted. One more batch, rolled back,
is decided under tracemalloc for the Python memory it takes.
"""

from __future__ import annotations

import statistics

from bench.eventbench.synthetic import Stream, embeddings, lexical, published, url
from bench.timing import clock, memory_mb


class RolledBack(Exception):
    """Raised inside a writer to leave the lake as it was."""


def new_items(stream: Stream) -> list[dict]:
    """Return the stream's new reports, in publication order: what a judged article carries
    into the commit (its signals; a copy, the URL of its original)."""
    import numpy as np

    from bench.eventbench.synthetic import LANGUAGE_SHARE, LANGUAGES, SEED

    lo, hi = stream.stored, len(stream.at)
    vectors = embeddings(stream, lo, hi)
    lexicals = lexical(stream, lo, hi)
    rng = np.random.default_rng([SEED, 11])
    languages = rng.choice(len(LANGUAGES), hi - lo, p=np.array(LANGUAGE_SHARE) / 100)
    out = []
    for i, when in enumerate(published(stream, lo, hi)):
        of = int(stream.copy_of[lo + i])
        actors, places, numbers, dates, occasion = lexicals[i]
        out.append(
            {
                "key": url(stream, lo + i),
                "published_at": when,
                "language": LANGUAGES[languages[i]],
                "embedding": vectors[i],
                "actors": actors,
                "places": places,
                "numbers": numbers,
                "dates": dates,
                "occasion": occasion,
                "copy_of": url(stream, of) if of >= 0 else None,
            }
        )
    return out


def judged(item: dict):
    """Return the report as the commit gets it: a relevant judged article with its signals
    (decide_events reads neither its text nor its fingerprint)."""
    from tasks.event_signals import EventSignals
    from tasks.records import Article, Assessed, Candidate, Duplicate, Relevance

    key, when = item["key"], item["published_at"]
    candidate = Candidate(canonical_url=key, url=key, origin="monitor", source="outlet")
    of = item["copy_of"]
    return Assessed(
        article=Article(
            candidate=candidate, url=key, fetched_at=when, text="", title=None, published_at=when
        ),
        relevance=Relevance(
            score=1.0, threshold=0.5, relevant=True, china_mentions=1, russia_mentions=1
        ),
        mentions={},
        fingerprint=None,  # type: ignore[arg-type]
        duplicate=Duplicate(of=of, similarity=0.95, method="minhash") if of else None,
        signals=EventSignals(
            key=key,
            language=item["language"],
            published_at=when,
            embedding=item["embedding"],
            actors=frozenset(item["actors"]),
            places=frozenset(item["places"]),
            numbers=frozenset(item["numbers"]),
            dates=frozenset(item["dates"]),
            occasion=item["occasion"],
        ),
    )


def probe(lake, batch: list) -> dict:
    """Return, on a reader, the seconds of the batch's candidate loading and copies' lookup
    alone, the candidate events and their members, and the events within the window of a
    report on average (each is scored on its lexical evidence too)."""
    import numpy as np

    from tasks.event_assignment import (
        DEFAULT_EVENTS,
        candidates,
        in_order,
        original_events,
        window_of,
    )
    from warehouse import reader

    window = window_of(DEFAULT_EVENTS)
    ordered = in_order(a.signals for a in batch if a.duplicate is None)
    with reader(lake) as con:
        with clock() as loading:
            active = candidates(con, ordered, window)
        with clock() as looking:
            original_events(con, {a.duplicate.of for a in batch if a.duplicate is not None})
    n = len(active)
    first, last = active._first[:n], active._last[:n]
    near = [
        int(((first - window.total_seconds() <= t) & (t <= last + window.total_seconds())).sum())
        for t in (s.published_at.timestamp() for s in ordered)
    ]
    return {
        "load_s": loading.wall,
        "load_cpu": loading.cpu,
        "lookup_s": looking.wall,
        "candidates": n,
        "members": sum(len(e.members) for e in active),
        "near": float(np.mean(near)) if near else 0.0,
    }


def commit_batch(lake, batch: list, number: int) -> dict:
    """Return the seconds (wall, CPU) of one batch's event decision and write, and of the
    whole commit, and how its reports were placed."""
    from collections import Counter

    from tasks.event_assignment import DEFAULT_EVENTS, decide_events, write_events
    from warehouse import writer

    run_id = f"{number:032x}"
    with clock() as whole, writer(lake, "bench events batch", {"run_id": run_id}) as con:
        with clock() as deciding:
            decided = decide_events(con, batch, DEFAULT_EVENTS)
        with clock() as writing:
            write_events(con, decided, run_id)
    return {
        "decide_s": deciding.wall,
        "decide_cpu": deciding.cpu,
        "write_s": writing.wall,
        "total_s": whole.wall,
        "total_cpu": whole.cpu,
        "methods": dict(Counter(p.method for p in decided.placements)),
    }


def python_peak(lake, batch: list) -> float:
    """Return the peak MB that Python (numpy included) allocates to decide a batch, rolled back."""
    import tracemalloc

    from tasks.event_assignment import DEFAULT_EVENTS, decide_events
    from warehouse import writer

    try:
        with writer(lake, "bench events memory") as con:
            tracemalloc.start()
            try:
                decide_events(con, batch, DEFAULT_EVENTS)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            raise RolledBack
    except RolledBack:
        pass
    return peak / 2**20


def measure(lake, items: list[dict], size: int, warmup: int, batches: int) -> dict:
    """Return the decision's cost per report over `batches` batches of `size` new reports
    after `warmup` ones (medians), its Python peak on one more, and this process's memory."""
    from warehouse import ensure_warehouse

    rss_start = memory_mb("VmRSS")
    with clock() as attaching:
        ensure_warehouse(lake)
    rss_ready = memory_mb("VmRSS")
    groups = [items[k : k + size] for k in range(0, len(items), size)][: warmup + batches + 1]
    if len(groups) < warmup + batches + 1 or len(groups[-1]) < size:
        raise RuntimeError("too few new reports for the batches asked")
    done = []
    for number, group in enumerate(groups[:-1]):
        batch = [judged(item) for item in group]
        done.append({**probe(lake, batch), **commit_batch(lake, batch, number), "n": len(batch)})
    peak = python_peak(lake, [judged(item) for item in groups[-1]])

    measured = done[warmup:]
    per_report = ("decide_s", "decide_cpu", "write_s", "total_s", "total_cpu", "load_s", "lookup_s")
    out = {key: statistics.median(r[key] / r["n"] for r in measured) for key in per_report}
    per_batch = ("candidates", "members", "near", "load_s", "load_cpu", "lookup_s")
    out |= {f"{key}_batch": statistics.median(r[key] for r in measured) for key in per_batch}
    out["first_total_s"] = done[0]["total_s"] / done[0]["n"]
    out["methods"] = {
        m: sum(r["methods"].get(m, 0) for r in measured) for m in ("new", "joined", "copy")
    }
    return out | {
        "attach_s": attaching.wall,
        "python_peak_mb": peak,
        "rss_start_mb": rss_start,
        "rss_ready_mb": rss_ready,
        "peak_mb": memory_mb("VmHWM"),
    }
