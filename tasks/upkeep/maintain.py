"""Upkeep of the lake: small files merged, old snapshots expired, unneeded files deleted.

Every commit writes at least one small Parquet file (or inlines a few rows in the catalog), so a
monitor that commits every few minutes makes thousands of files a month. Maintenance flushes
inlined rows into Parquet, merges adjacent small files, expires the snapshots older than
`warehouse.keep_snapshots_days` (time travel reaches that far), and deletes the files that no
remaining snapshot needs. Files a pass makes unneeded are deleted by the next pass, not at
once: a reader that began before the merge may still be scanning them (and DuckLake's own
`older_than` filter for this is not reliable on a SQLite catalog). It holds the writer lock
throughout, so it never races a batch. Then the lake's checks run (warehouse/checks/, read-only),
and the report names those that fail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Retention
from tasks.commit import commit_slot
from tasks.records import utcnow
from warehouse import Lake, reader, run_checks, sql, writer
from warehouse.db import maintenance_connection


class ChecksFailed(RuntimeError):
    """Checks that fail on the lake after a maintenance pass (by name: offending rows)."""

    def __init__(self, failed: dict[str, int]) -> None:
        listed = ", ".join(f"{name} ({count} rows)" for name, count in failed.items())
        super().__init__(f"checks fail after maintenance: {listed}")
        self.failed = failed


@dataclass
class Maintenance:
    """What one maintenance pass did, with the lake's file counts before and after."""

    files_before: int = 0  # Parquet files kept (read now, or kept for time travel)
    files_after: int = 0
    live_files_before: int = 0  # of which the current snapshot reads
    live_files_after: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    tables_flushed: int = 0
    files_merged: int = 0
    snapshots_expired: int = 0
    files_deleted: int = 0  # from storage, this pass
    files_awaiting_deletion: int = 0  # unneeded now, deleted by the next pass
    snapshots_left: int = 0
    files_rewritten: int = 0  # files with many deleted rows, written again without them
    offtopic_pages_dropped: int = 0  # kept HTML of off-topic pages past [retention]
    offtopic_texts_dropped: int = 0  # texts of off-topic pages past [retention]
    checks_passed: int = 0  # the lake's checks (warehouse/checks/) after the pass
    checks_failed: dict[str, int] = field(default_factory=dict)  # name: offending rows

    def as_dict(self) -> dict:
        """Return the report as plain data."""
        return asdict(self)


def _files(con, alias: str) -> tuple[int, int, int]:
    metadata = f"__ducklake_metadata_{alias}"
    files, size, live = con.execute(sql("live_files"), {"metadata": metadata}).fetchone()
    return files, int(size), live


def apply_retention(lake: Lake, retention: Retention) -> tuple[int, int]:
    """Return how many off-topic pages lost their kept HTML, and how many their text, now.

    Their URL, score, dates and fingerprints stay: they are never fetched again, and copies of
    them are still recognised. Stories keep both for ever.
    """
    now = utcnow()
    params = {
        "html_before": now - timedelta(days=retention.offtopic_html_days),
        "text_before": now - timedelta(days=retention.offtopic_text_days),
    }
    with writer(lake, "retention", {k: str(v) for k, v in params.items()}) as con:
        html = {"html_before": params["html_before"]}
        pages = con.execute(sql("drop_offtopic_html"), html).fetchone()[0]
        texts = con.execute(sql("drop_offtopic_text"), {"text_before": params["text_before"]})
        texts = texts.fetchone()[0]
    return pages, texts


def maintain(
    lake: Lake,
    keep_snapshots_days: float,
    delete_now: bool = False,
    retention: Retention | None = None,
) -> Maintenance:
    """Return what a maintenance pass did to the lake (under the writer lock), and which checks
    fail on the lake after it.

    `retention` drops what [retention] says first; `delete_now` also deletes, at the end, the
    files this pass made unneeded (when nothing else reads the lake).
    """
    report = Maintenance()
    if retention is not None:
        dropped = apply_retention(lake, retention)
        report.offtopic_pages_dropped, report.offtopic_texts_dropped = dropped
    older_than = utcnow() - timedelta(days=keep_snapshots_days)
    with commit_slot(lake.commit_limit), maintenance_connection(lake) as (con, alias):
        metadata = {"metadata": f"__ducklake_metadata_{alias}"}
        lake_only = {"alias": alias}
        report.files_before, report.bytes_before, report.live_files_before = _files(con, alias)
        report.files_deleted = len(con.execute(sql("cleanup_files"), lake_only).fetchall())
        report.tables_flushed = len(con.execute(sql("flush_inlined"), lake_only).fetchall())
        # Rewrite (drop deleted rows) before merging, so the merge sees the slimmed files.
        report.files_rewritten = len(con.execute(sql("rewrite_files"), lake_only).fetchall())
        report.files_merged = sum(
            row[2] for row in con.execute(sql("merge_files"), lake_only).fetchall()
        )
        report.snapshots_expired = len(
            con.execute(sql("expire_snapshots"), {**lake_only, "older_than": older_than}).fetchall()
        )
        if delete_now:
            report.files_deleted += len(con.execute(sql("cleanup_files"), lake_only).fetchall())
        report.files_awaiting_deletion = con.execute(
            sql("files_awaiting_deletion"), metadata
        ).fetchone()[0]
        report.files_after, report.bytes_after, report.live_files_after = _files(con, alias)
        report.snapshots_left = con.execute(sql("count_snapshots"), lake_only).fetchone()[0]
    with reader(lake) as con:
        results = run_checks(con, limit=0)
    report.checks_passed = sum(result.passed for result in results)
    report.checks_failed = {
        result.name: result.offending for result in results if not result.passed
    }
    return report


maintain_task = task(maintain, name="maintain-lake", cache_policy=NONE)
