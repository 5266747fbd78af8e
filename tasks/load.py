"""Write a judged batch into the warehouse: the rows of one commit, as new or rewritten.

The commit holds the writer lock (warehouse/lock.py) and, inside a Prefect flow, the
`warehouse-commit` global concurrency limit (tasks/commit.py). Inside it, the duplicates are
decided (tasks/duplicates.py, against the warehouse's own index), then the relevant articles'
events (tasks/event_assignment.py, against the events active around them), and the rows inserted with
anti-joins on their keys, so concurrent runs never store a URL twice nor count two copies of one
text. A replay's batch rewrites the judgements of stored articles instead (`rewrite_batch`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from config.settings import Dedup, Events
from tasks.commit import committing
from tasks.dedup import to_bytes
from tasks.duplicates import decide_duplicates, key_table
from tasks.event_assignment import (
    DEFAULT_EVENTS,
    SIGNALS,
    decide_events,
    signal_table,
    write_events,
)
from tasks.records import Assessed, Failure, utcnow
from warehouse import Lake, sql

ARTICLES = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("origin", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("sitename", pa.string()),
        ("language", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("date_source", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        ("text", pa.string()),
        ("text_hash", pa.string()),
        ("relevance", pa.float64()),
        ("relevance_threshold", pa.float64()),
        ("relevant", pa.bool_()),
        ("relevance_evidence", pa.string()),
        ("china_mentions", pa.int32()),
        ("russia_mentions", pa.int32()),
        ("duplicate_of", pa.string()),
        ("similarity", pa.float64()),
        ("dup_method", pa.string()),
        ("minhash", pa.binary()),
        ("lead_minhash", pa.binary()),
        ("shingles", pa.int32()),
        ("title_key", pa.string()),
        ("run_id", pa.string()),
    ]
)
RAW_PAGES = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        ("html_zlib", pa.binary()),  # only older rows have it (migration 008)
        ("html_zstd", pa.binary()),
    ]
)
MENTIONS = pa.schema(
    [("canonical_url", pa.string()), ("keyword", pa.string()), ("mentions", pa.int32())]
)
TERMS = pa.schema([("canonical_url", pa.string()), ("term", pa.string())])
FAILURES = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("origin", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("feed_published_at", pa.timestamp("us")),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("http_status", pa.int32()),
        ("transient", pa.bool_()),
        ("now", pa.timestamp("us")),
        ("retry_after", pa.timestamp("us")),
        ("lasting_retry_after", pa.timestamp("us")),  # if this failure turns lasting (DNS)
        ("published_at", pa.timestamp("us")),
        ("date_source", pa.string()),
    ]
)


@dataclass
class Loaded:
    """What a batch commit did: the articles with their duplicates decided, and the snapshot."""

    inserted: int = 0
    assessed: list[Assessed] = field(default_factory=list)
    # fetched, but stored meanwhile by another run (a concurrent monitor or backfill)
    already_stored: list[str] = field(default_factory=list)
    snapshot: int | None = None


def article_table(assessed: list[Assessed], run_id: str | None) -> pa.Table:
    """Return the articles as an Arrow table shaped like the `articles` table."""
    rows = []
    for item in assessed:
        article, duplicate, fp = item.article, item.duplicate, item.fingerprint
        rows.append(
            {
                "canonical_url": article.candidate.canonical_url,
                "url": article.url,
                "origin": article.candidate.origin,
                "source": article.candidate.source,
                "title": article.title,
                "author": article.author,
                "sitename": article.sitename,
                "language": article.language,
                "published_at": article.published_at,
                "date_source": article.date_source,
                "fetched_at": article.fetched_at,
                "text": article.text,
                "text_hash": fp.text_hash,
                "relevance": item.relevance.score,
                "relevance_threshold": item.relevance.threshold,
                "relevant": item.relevance.relevant,
                "relevance_evidence": json.dumps(item.relevance.evidence, ensure_ascii=False),
                "china_mentions": item.relevance.china_mentions,
                "russia_mentions": item.relevance.russia_mentions,
                "duplicate_of": duplicate.of if duplicate else None,
                "similarity": duplicate.similarity if duplicate else None,
                "dup_method": duplicate.method if duplicate else None,
                "minhash": to_bytes(fp.minhash),
                "lead_minhash": to_bytes(fp.lead),
                "shingles": fp.shingles,
                "title_key": fp.title_key,
                "run_id": run_id,
            }
        )
    return pa.Table.from_pylist(rows, schema=ARTICLES)


def mention_table(assessed: list[Assessed]) -> pa.Table:
    """Return the keyword mentions of the articles as an Arrow table."""
    rows = [
        {"canonical_url": item.article.candidate.canonical_url, "keyword": k, "mentions": n}
        for item in assessed
        for k, n in item.mentions.items()
    ]
    return pa.Table.from_pylist(rows, schema=MENTIONS)


def raw_table(assessed: list[Assessed]) -> pa.Table:
    """Return the fetched HTML of the articles, compressed, as an Arrow table."""
    rows = [
        {
            "canonical_url": item.article.candidate.canonical_url,
            "url": item.article.url,
            "fetched_at": item.article.fetched_at,
            "html_zlib": None,
            "html_zstd": item.article.html_zstd,
        }
        for item in assessed
        if item.article.html_zstd
    ]
    return pa.Table.from_pylist(rows, schema=RAW_PAGES)


def url_table(urls: list[str]) -> pa.Table:
    """Return the URLs as an Arrow table of one column, `canonical_url`."""
    # Registered and joined rather than passed as a list parameter: DuckDB 1.5 tries to import
    # pandas twice per element of a Python list (17 ms for 200 URLs, against 2 ms this way).
    return pa.table({"canonical_url": pa.array(urls, pa.string())})


def term_table(assessed: list[Assessed]) -> pa.Table:
    """Return the terms of the articles (relevant ones have some) as an Arrow table."""
    rows = [
        {"canonical_url": item.article.candidate.canonical_url, "term": term}
        for item in assessed
        for term in item.terms
    ]
    return pa.Table.from_pylist(rows, schema=TERMS)


def _retry_at(failure: Failure, now: datetime, retry_hours: float) -> datetime:
    # Transient trouble (timeouts, 5xx, 429) is worth the very next run, unless the server named
    # a later time; the rest waits. A delay too large for a timestamp waits "for ever".
    if failure.transient:
        delay = timedelta(seconds=failure.retry_after or 0)
    else:
        delay = timedelta(hours=min(retry_hours, 24 * 365 * 100))
    return now + delay


def failure_table(failures: list[Failure], retry_hours: float) -> pa.Table:
    """Return the failed pages as an Arrow table, each with the time it is due again."""
    now = utcnow()
    rows = [
        {
            "canonical_url": f.candidate.canonical_url,
            "url": f.candidate.url,
            "origin": f.candidate.origin,
            "source": f.candidate.source,
            "title": f.candidate.title,
            "feed_published_at": f.candidate.published_at,
            "stage": f.stage,
            "reason": f.reason,
            "http_status": f.http_status,
            "transient": f.transient,
            "now": now,
            "retry_after": _retry_at(f, now, retry_hours),
            "lasting_retry_after": now + timedelta(hours=min(retry_hours, 24 * 365 * 100)),
            "published_at": f.published_at,
            "date_source": f.date_source,
        }
        for f in {f.candidate.canonical_url: f for f in failures}.values()
    ]
    return pa.Table.from_pylist(rows, schema=FAILURES)


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, query: str) -> int:
    """Return the rows `query` inserted from `table`, registered as `name` (none: not run)."""
    if not table.num_rows:  # a DuckLake statement costs ~12-16 ms even with no rows to write
        return 0
    con.register(name, table)
    return con.execute(sql(query)).fetchone()[0]


def write_batch(
    con: duckdb.DuckDBPyConnection,
    judged: list[Assessed],
    failures: list[Failure],
    run_id: str | None,
    retry_hours: float,
    dedup: Dedup,
    keep_raw: bool = False,
    dns_limit: int = 3,
    events: Events = DEFAULT_EVENTS,
) -> Loaded:
    """Return what the batch commit did, writing it on `con` (inside the writer's transaction).

    A host name that does not resolve is a passing failure `dns_limit - 1` times, then a lasting
    one (retried after `retry_hours`, like a 404).
    """
    urls = [item.article.candidate.canonical_url for item in judged]
    con.register("batch_urls", url_table(urls))
    # A statement with no rows to read or write is skipped: each costs the lake ~12-16 ms.
    stored = {row[0] for row in con.execute(sql("stored_urls")).fetchall()} if urls else set()
    fresh = [item for item in judged if item.article.candidate.canonical_url not in stored]
    assessed = decide_duplicates(con, fresh, dedup)
    originals = [item for item in assessed if item.duplicate is None]
    decided = decide_events(con, assessed, events)
    inserted = _insert(con, "batch_articles", article_table(assessed, run_id), "insert_articles")
    _insert(con, "batch_mentions", mention_table(assessed), "insert_mentions")
    _insert(con, "batch_terms", term_table(assessed), "insert_terms")
    _insert(con, "batch_keys", key_table(originals, dedup), "insert_dedup_keys")
    write_events(con, decided, run_id)
    if keep_raw:
        _insert(con, "batch_raw", raw_table(assessed), "insert_raw_pages")
    if urls:
        con.execute(sql("clear_failures"))
    if failures:
        con.register("batch_failures", failure_table(failures, retry_hours))
        con.execute(sql("upsert_failures"), {"dns_limit": dns_limit})
    if run_id:
        con.execute(sql("run_heartbeat"), {"run_id": run_id, "now": utcnow()})
    return Loaded(inserted, assessed, sorted(stored))


def load_batch(
    lake: Lake,
    judged: list[Assessed],
    failures: list[Failure],
    run_id: str | None,
    retry_hours: float,
    dedup: Dedup,
    keep_raw: bool = False,
    dns_limit: int = 3,
    events: Events = DEFAULT_EVENTS,
) -> Loaded:
    """Return what the batch commit did; the batch and its failures land in one snapshot."""
    with committing(lake, "batch", run_id, batch=True) as con:
        loaded = write_batch(
            con, judged, failures, run_id, retry_hours, dedup, keep_raw, dns_limit, events
        )
    loaded.snapshot = con.snapshot
    return loaded


def rewrite_batch(lake: Lake, judged: list[Assessed], dedup: Dedup, run_id: str | None) -> int:
    """Return how many stored articles were rewritten: judgements, mentions, terms, index keys and
    event signals, one commit. Who was a duplicate of whom stays as it was: that depends on
    arrival order; events are re-assigned after the whole replay (tasks/event_assignment.py)."""
    if not judged:
        return 0
    with committing(lake, "replay page", run_id, batch=True) as con:
        con.register("batch_articles", article_table(judged, None))
        con.register("batch_mentions", mention_table(judged))
        con.register("batch_terms", term_table(judged))
        con.register("batch_keys", key_table(judged, dedup))
        signals = [item.signals for item in judged if item.signals is not None]
        con.register("batch_signals", pa.Table.from_pylist([], schema=SIGNALS))
        if signals:
            con.register("batch_signals", signal_table(signals))
        con.execute(sql("apply_replay"))
        con.execute(sql("replace_mentions"))
        con.execute(sql("replace_terms"))
        con.execute(sql("replace_dedup_keys"))
        con.execute(sql("replace_event_signals"))
    return len(judged)
