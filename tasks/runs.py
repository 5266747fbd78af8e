"""Run bookkeeping: the summary a run reports, and its row in the warehouse."""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from tasks.commit import committing
from tasks.load import Loaded
from tasks.location import lake_of
from tasks.records import Failure, FeedResult, utcnow
from warehouse import Lake, sql, writer

FEED_CHECKS = pa.schema(
    [
        ("url", pa.string()),
        ("name", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("body_hash", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("http_status", pa.int32()),
        ("entries", pa.int32()),
        ("ok", pa.bool_()),
        ("now", pa.timestamp("us")),
    ]
)
# Summary fields that are not columns of `runs`.
DETAILS = {"flow", "backfill", "replay", "snapshots", "already_stored"}


@dataclass
class RunSummary:
    """What one run did: counts for dashboards, and the details a person reads."""

    run_id: str
    flow: str
    status: str = "running"
    feeds_ok: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    new_urls: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    extracted: int = 0
    relevant: int = 0
    irrelevant: int = 0
    duplicates: int = 0
    stored: int = 0
    already_stored: int = 0  # fetched, but stored meanwhile by another run
    snapshot: int | None = None  # the last snapshot this run's batches committed
    snapshots: list[int] = field(default_factory=list)  # every snapshot this run committed
    error: str | None = None
    failed_feeds: list[dict] = field(default_factory=list)
    failed_pages: list[dict] = field(default_factory=list)
    duplicate_pages: list[dict] = field(default_factory=list)
    irrelevant_pages: list[dict] = field(default_factory=list)
    stored_articles: list[dict] = field(default_factory=list)
    backfill: dict | None = None  # the job, its window, policy, queue counts and source notes
    replay: dict | None = None  # the mode, window and what changed

    def add_feeds(self, results: list[FeedResult]) -> None:
        """Count the feed checks."""
        for result in results:
            if result.ok:
                self.feeds_ok += 1
                self.entries_seen += len(result.entries)
            else:
                self.feeds_failed += 1
                self.failed_feeds.append(
                    {"name": result.feed.name, "url": result.feed.url, "error": result.error}
                )

    def add_batch(self, fetched: int, failures: list[Failure], loaded: Loaded) -> None:
        """Count one committed batch."""
        assessed = loaded.assessed
        if loaded.snapshot is not None:
            self.snapshot = loaded.snapshot
            self.snapshots.append(loaded.snapshot)
        self.already_stored += len(loaded.already_stored)
        self.pages_fetched += fetched
        self.pages_failed += len(failures)
        self.extracted += len(assessed)
        for failure in failures:
            self.failed_pages.append(
                {"url": failure.candidate.url, "stage": failure.stage, "reason": failure.reason}
            )
        for item in assessed:
            url = item.article.candidate.canonical_url
            if item.duplicate is not None:
                self.duplicates += 1
                self.duplicate_pages.append(
                    {
                        "url": url,
                        "duplicate_of": item.duplicate.of,
                        "similarity": item.duplicate.similarity,
                        "method": item.duplicate.method,
                    }
                )
            if item.relevance.relevant:
                self.relevant += 1
            else:
                self.irrelevant += 1
                self.irrelevant_pages.append(
                    {"url": url, "title": item.article.title, "score": item.relevance.score}
                )
            if item.stored_as_story:
                self.stored += 1
                published = item.article.published_at
                self.stored_articles.append(
                    {
                        "url": url,
                        "title": item.article.title,
                        "published": published.date().isoformat() if published else None,
                    }
                )

    def add_replay(self, judged: list, failures: list[Failure]) -> None:
        """Count one replayed page: articles judged again, and pages that gave no text now."""
        self.extracted += len(judged)
        self.pages_failed += len(failures)
        for failure in failures:
            self.failed_pages.append(
                {"url": failure.candidate.url, "stage": failure.stage, "reason": failure.reason}
            )
        for item in judged:
            if item.relevance.relevant:
                self.relevant += 1
            else:
                self.irrelevant += 1

    def as_dict(self) -> dict:
        """Return the summary as plain JSON-ready data."""
        return asdict(self)


def start_run(lake: Lake, flow: str) -> RunSummary:
    """Return a new run's summary after recording the run as started.

    Inside a Prefect flow run the run takes its id, so the failure hook can find the row.
    """
    from prefect.runtime import flow_run

    run_id = (flow_run.id or uuid.uuid4().hex).replace("-", "")
    summary = RunSummary(run_id=run_id, flow=flow)
    with committing(lake, "start run", run_id) as con:
        con.execute(sql("start_run"), {"run_id": summary.run_id, "flow": flow, "now": utcnow()})
    return summary


def feed_table(results: list[FeedResult]) -> pa.Table:
    """Return the feed checks as an Arrow table shaped for upsert_feeds."""
    now = utcnow()
    rows = [
        {
            "url": result.feed.url,
            "name": result.feed.name,
            "etag": result.etag,
            "last_modified": result.last_modified,
            "body_hash": result.body_hash,
            "status": result.status,
            "error": result.error or result.warning,
            "http_status": result.http_status,
            "entries": len(result.entries) if result.status == "ok" else None,
            "ok": result.ok,
            "now": now,
        }
        for result in results
    ]
    return pa.Table.from_pylist(rows, schema=FEED_CHECKS)


def finish_run(lake: Lake, summary: RunSummary, feeds: list[FeedResult]) -> RunSummary:
    """Return the summary after recording the feeds' new state and the run's counts together.

    Feed validators are saved only now, after every batch is loaded: a run that dies midway
    leaves them as they were, so the next run reads the same entries again and loses none.
    """
    summary.status = "completed" if summary.error is None else "failed"
    counts = {
        k: v for k, v in summary.as_dict().items() if k not in DETAILS and not isinstance(v, list)
    }
    with committing(lake, "finish run", summary.run_id) as con:
        if feeds:
            con.register("batch_feeds", feed_table(feeds))
            con.execute(sql("upsert_feeds"))
        con.execute(sql("finish_run"), {**counts, "now": utcnow()})
    summary.snapshots.append(con.snapshot)
    return summary


def fail_run(lake: Lake, run_id: str, error: str) -> None:
    """Mark a run that is still 'running' as failed, with the error."""
    with writer(lake, "fail run", {"run_id": run_id}) as con:
        con.execute(sql("fail_run"), {"run_id": run_id, "error": error, "now": utcnow()})


def record_failure(flow: object, flow_run: object, state: object) -> None:
    """Prefect hook (on_failure, on_crashed): record in `runs` why the flow run ended badly."""
    from config import load_settings

    parameters = getattr(flow_run, "parameters", {}) or {}
    try:
        settings = load_settings(parameters.get("config_path")).with_db(parameters.get("db_path"))
        lake = lake_of(settings)
        if lake.exists():
            fail_run(lake, flow_run.id.hex, str(getattr(state, "message", None) or state))
    except Exception as exc:  # a hook must not hide the flow's own error
        logging.getLogger("sinorus").warning("could not record the failed run: %s", exc)


start_run_task = task(start_run, name="start-run", cache_policy=NONE)
finish_run_task = task(finish_run, name="finish-run", cache_policy=NONE)
