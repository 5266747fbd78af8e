"""The event decision: which event each relevant article of a committed batch belongs to.

Decided at commit time, inside the writer's transaction, after the duplicates (tasks/load.py asks,
then writes): the events active around the batch's publication times are rebuilt from the lake
(`article_events` and the members' `event_signals`, read by time only, so a commit costs the same
on a lake of any size), the batch's relevant originals are assigned in publication order
(tasks/events.assign), and each relevant copy joins its original's event. Under the writer lock,
two runs committing at once see each other's events: neither splits nor doubles one. The maths is
tasks/events.py's; a replay re-assigns a window from the stored signals (`reassign_page`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Events
from tasks.commit import committing
from tasks.event_signals import EventSignals
from tasks.events import MEMBER_CAP, THRESHOLD, WINDOW, ActiveEvent, ActiveEvents, assign
from tasks.records import Assessed, EventMethod, utcnow
from warehouse import Lake, sql

# float16 halves the stored embedding (1 kB, not 2 kB) and changes no assignment of the labelled
# set (docs/decisions.md); the assignment computes in float32.
STORED = np.dtype("<f2")

EVENTS = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("event_id", pa.string()),
        ("similarity", pa.float64()),
        ("method", pa.string()),
        ("evidence", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("run_id", pa.string()),
        ("assigned_at", pa.timestamp("us")),
    ]
)
SIGNALS = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("language", pa.string()),
        ("embedding", pa.binary()),
        ("actors", pa.list_(pa.string())),
        ("places", pa.list_(pa.string())),
        ("numbers", pa.list_(pa.string())),
        ("dates", pa.list_(pa.date32())),
        ("occasion", pa.string()),
    ]
)

# What a caller that names no [events] settings gets (benches, older tests): the code's own.
DEFAULT_EVENTS = Events(threshold=THRESHOLD, window_days=WINDOW.days)


@dataclass(frozen=True)
class Placement:
    """One article's event, as `article_events` stores it."""

    canonical_url: str
    event_id: str
    similarity: float
    method: EventMethod
    published_at: datetime
    evidence: dict = field(default_factory=dict)


@dataclass
class Decided:
    """A batch's events: every relevant article's placement, and the signals to keep."""

    placements: list[Placement] = field(default_factory=list)
    signals: list[EventSignals] = field(default_factory=list)


def window_of(events: Events) -> timedelta:
    """Return the configured window as a timedelta."""
    return timedelta(days=events.window_days)


def in_order(signals: Iterable[EventSignals]) -> list[EventSignals]:
    """Return the signals in publication order, ties by canonical URL (the assignment's order)."""
    return sorted(signals, key=lambda s: (s.published_at, s.key))


def candidates(
    con: duckdb.DuckDBPyConnection, ordered: list[EventSignals], window: timedelta
) -> ActiveEvents:
    """Return the stored events active within the window of the signals' publication times."""
    first, last = ordered[0].published_at, ordered[-1].published_at
    rows = con.execute(
        sql("event_candidates"),
        {
            "active_since": first - window,
            "active_until": last + window,
            "since": first - 2 * window,
            "until": last + 2 * window,
            "latest": MEMBER_CAP,
        },
    ).fetchall()
    events: dict[str, ActiveEvent] = {}
    for event_id, first_at, last_at, reports, opener, *member in rows:
        signals = from_row(*member)
        event = events.get(event_id)
        if event is None:
            event = events[event_id] = ActiveEvent(event_id, first_at, last_at, reports, [])
        if opener or len(event.members) < MEMBER_CAP:
            event.members.append(signals)
        else:  # the opener and the latest MEMBER_CAP - 1 (rows come oldest first)
            del event.members[1]
            event.members.append(signals)
    return ActiveEvents(events.values())


def assign_signals(
    con: duckdb.DuckDBPyConnection, signals: Iterable[EventSignals], events: Events
) -> list[Placement]:
    """Return the placements of the signals, assigned in publication order against the events
    stored around them (and each other)."""
    ordered = in_order(signals)
    if not ordered:
        return []
    window = window_of(events)
    active = candidates(con, ordered, window)
    done = assign(ordered, active, events.threshold, window)
    return [
        Placement(a.key, a.event_id, a.similarity, a.method, s.published_at, a.evidence)
        for a, s in zip(done, ordered, strict=True)
    ]


def original_events(con: duckdb.DuckDBPyConnection, urls: set[str]) -> dict[str, str]:
    """Return the stored events of the originals with these URLs (those that have one)."""
    if not urls:
        return {}
    con.register("batch_originals", pa.table({"canonical_url": pa.array(sorted(urls))}))
    found = dict(con.execute(sql("original_events")).fetchall())
    con.unregister("batch_originals")
    return found


def decide_events(
    con: duckdb.DuckDBPyConnection, assessed: list[Assessed], events: Events
) -> Decided:
    """Return the events of the batch's relevant articles (duplicates already decided).

    Originals are assigned by their signals; a copy takes its original's event, whether its
    original is in the batch or stored. A copy whose original has no event (it is not relevant)
    is assigned by its own signals, as an original.
    """
    relevant = [a for a in assessed if a.relevance.relevant and a.signals is not None]
    if not relevant:
        return Decided()
    copies = [a for a in relevant if a.duplicate is not None]
    in_batch = {a.article.candidate.canonical_url for a in relevant if a.duplicate is None}
    stored = original_events(con, {a.duplicate.of for a in copies} - in_batch)
    own = [
        a for a in relevant if a.duplicate is None or a.duplicate.of not in in_batch | set(stored)
    ]
    own_signals = [a.signals for a in own]
    placements = assign_signals(con, own_signals, events)
    event_of = stored | {p.canonical_url: p.event_id for p in placements}
    for item in copies:
        if item.article.candidate.canonical_url in event_of:
            continue  # assigned by its own signals above
        duplicate = item.duplicate
        placements.append(
            Placement(
                item.article.candidate.canonical_url,
                event_of[duplicate.of],
                duplicate.similarity,
                "copy",
                item.signals.published_at,
                {"copy_of": duplicate.of, "dup_method": duplicate.method},
            )
        )
    return Decided(placements, own_signals)


def event_table(placements: list[Placement], run_id: str | None) -> pa.Table:
    """Return the placements as an Arrow table shaped like `article_events`."""
    now = utcnow()
    rows = [
        {
            "canonical_url": p.canonical_url,
            "event_id": p.event_id,
            "similarity": p.similarity,
            "method": p.method,
            "evidence": json.dumps(p.evidence, ensure_ascii=False, sort_keys=True),
            "published_at": p.published_at,
            "run_id": run_id,
            "assigned_at": now,
        }
        for p in placements
    ]
    return pa.Table.from_pylist(rows, schema=EVENTS)


def signal_table(signals: list[EventSignals]) -> pa.Table:
    """Return the signals as an Arrow table shaped like `event_signals` (sets sorted)."""
    rows = [
        {
            "canonical_url": s.key,
            "published_at": s.published_at,
            "language": s.language,
            "embedding": np.asarray(s.embedding, dtype=STORED).tobytes(),
            "actors": sorted(s.actors),
            "places": sorted(s.places),
            "numbers": sorted(s.numbers),
            "dates": sorted(s.dates),
            "occasion": s.occasion,
        }
        for s in signals
    ]
    return pa.Table.from_pylist(rows, schema=SIGNALS)


def from_row(
    canonical_url: str,
    published_at: datetime,
    language: str,
    embedding: bytes,
    actors: list[str],
    places: list[str],
    numbers: list[str],
    dates: list[date],
    occasion: str | None,
) -> EventSignals:
    """Return the signals an `event_signals` row stores."""
    return EventSignals(
        key=canonical_url,
        language=language,
        published_at=published_at,
        embedding=np.frombuffer(embedding, dtype=STORED).astype(np.float32),
        actors=frozenset(actors),
        places=frozenset(places),
        numbers=frozenset(numbers),
        dates=frozenset(dates),
        occasion=occasion,
    )


def write_events(
    con: duckdb.DuckDBPyConnection, decided: Decided, run_id: str | None, keep_signals: bool = True
) -> int:
    """Return how many placements were written on `con` (and the signals, unless told not to)."""
    if decided.placements:  # a DuckLake statement costs ~12-16 ms even with no rows to write
        con.register("batch_events", event_table(decided.placements, run_id))
        con.execute(sql("insert_article_events"))
        con.unregister("batch_events")
    if keep_signals and decided.signals:
        con.register("batch_signals", signal_table(decided.signals))
        con.execute(sql("insert_event_signals"))
        con.unregister("batch_signals")
    return len(decided.placements)


# ---- replay: a window re-assigned from the stored signals ----


def clear_window(con: duckdb.DuckDBPyConnection, since: date | None, until: date | None) -> None:
    """Delete the assignments of the articles dated in the window (a replay's first step)."""
    con.execute(sql("delete_window_events"), {"since": since, "until": until})


def read_signal_page(
    con: duckdb.DuckDBPyConnection,
    since: date | None,
    until: date | None,
    after: tuple[datetime, str],
    limit: int,
) -> list[EventSignals]:
    """Return the next `limit` stored signals of the window's relevant articles after `after`
    (publication time, URL), in publication order."""
    params = {"since": since, "until": until, "after_at": after[0], "after_url": after[1]}
    rows = con.execute(sql("replay_events_page"), {**params, "limit": limit}).fetchall()
    return [from_row(*row) for row in rows]


def reassign_page(
    con: duckdb.DuckDBPyConnection, signals: list[EventSignals], events: Events, run_id: str | None
) -> int:
    """Return how many of a replay's page of stored signals were re-assigned and written."""
    placements = assign_signals(con, signals, events)
    return write_events(con, Decided(placements, signals), run_id, keep_signals=False)


def place_copies(
    con: duckdb.DuckDBPyConnection, since: date | None, until: date | None, run_id: str | None
) -> None:
    """Give each relevant copy of the window without an event its original's (a replay's last
    step)."""
    params = {"since": since, "until": until, "run_id": run_id, "now": utcnow()}
    con.execute(sql("insert_copy_events"), params)


def reassign_window(
    lake: Lake,
    since: date | None,
    until: date | None,
    events: Events,
    run_id: str | None,
    page_size: int = 200,
) -> int:
    """Return how many articles of the window were re-assigned from their stored signals.

    One commit deletes the window's assignments; then a commit a page, in publication order, so
    that memory stays one page and the events active around it; a last one places the copies.
    Events of articles outside the window stay as they are (a report before it is a candidate).
    """
    with committing(lake, "replay events: clear", run_id, batch=True) as con:
        clear_window(con, since, until)
    done, after = 0, (datetime.min, "")
    while True:
        with committing(lake, "replay events: page", run_id, batch=True) as con:
            page = read_signal_page(con, since, until, after, page_size)
            if not page:
                break
            done += reassign_page(con, page, events, run_id)
        after = (page[-1].published_at, page[-1].key)
    with committing(lake, "replay events: copies", run_id, batch=True) as con:
        place_copies(con, since, until, run_id)
    return done


reassign_window_task = task(reassign_window, name="reassign-events", cache_policy=NONE)
