"""Load a judged batch into the warehouse: one transaction, no row twice."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from tasks.assess import Assessed
from tasks.dedup import to_bytes
from tasks.fetch import Failure, utcnow
from warehouse import sql, transaction, writer

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
        ("html_zlib", pa.binary()),
    ]
)
MENTIONS = pa.schema(
    [("canonical_url", pa.string()), ("keyword", pa.string()), ("mentions", pa.int32())]
)


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
            "html_zlib": zlib.compress(item.article.raw_html, 6),
        }
        for item in assessed
        if item.article.raw_html
    ]
    return pa.Table.from_pylist(rows, schema=RAW_PAGES)


def _retry_at(failure: Failure, now: datetime, retry_hours: float) -> datetime:
    # Transient trouble (timeouts, 5xx, 429) is worth the very next run, unless the server named
    # a later time; the rest waits.
    if failure.transient:
        return now + timedelta(seconds=failure.retry_after or 0)
    return now + timedelta(hours=retry_hours)


def write_batch(
    con: duckdb.DuckDBPyConnection,
    assessed: list[Assessed],
    failures: list[Failure],
    run_id: str | None,
    retry_hours: float,
    keep_raw: bool = False,
) -> int:
    """Return how many articles were inserted, writing the batch on `con` (inside a transaction)."""
    now = utcnow()
    con.register("batch_articles", article_table(assessed, run_id))
    con.register("batch_mentions", mention_table(assessed))
    inserted = con.execute(sql("insert_articles")).fetchone()[0]
    con.execute(sql("insert_mentions"))
    if keep_raw:
        con.register("batch_raw", raw_table(assessed))
        con.execute(sql("insert_raw_pages"))
    con.execute(
        sql("clear_failures"),
        {"urls": [item.article.candidate.canonical_url for item in assessed]},
    )
    for failure in failures:
        candidate = failure.candidate
        con.execute(
            sql("upsert_failure"),
            {
                "canonical_url": candidate.canonical_url,
                "url": candidate.url,
                "origin": candidate.origin,
                "source": candidate.source,
                "title": candidate.title,
                "feed_published_at": candidate.published_at,
                "stage": failure.stage,
                "reason": failure.reason,
                "http_status": failure.http_status,
                "transient": failure.transient,
                "now": now,
                "retry_after": _retry_at(failure, now, retry_hours),
            },
        )
    return inserted


def load_batch(
    db_path: Path,
    assessed: list[Assessed],
    failures: list[Failure],
    run_id: str | None,
    retry_hours: float,
    keep_raw: bool = False,
) -> int:
    """Return how many articles were inserted; the batch and its failures land in one transaction."""
    with writer(db_path) as con, transaction(con):
        return write_batch(con, assessed, failures, run_id, retry_hours, keep_raw)


load_batch_task = task(load_batch, name="load-batch", cache_policy=NONE)
