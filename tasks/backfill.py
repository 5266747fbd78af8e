"""Backfill bookkeeping: a job per set of arguments, its queue of URLs, and the window verdicts.

A job's id is a hash of what was asked (source, window, no-date policy, the URL file's content),
so the same command run again finds its job: discovery is not repeated, and only the queue
entries not yet done are processed. Each batch's articles and queue statuses land in one
transaction, so a kill loses at most the batch in flight.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Dedup, Fetch
from tasks.assess import Assessed
from tasks.commit import committing
from tasks.extract import Article
from tasks.fetch import Failure, utcnow
from tasks.listing import Discovery
from tasks.load import Loaded, write_batch
from tasks.urls import Candidate
from warehouse import Lake, reader, sql

SOURCES = ("feeds", "sitemaps", "gdelt", "urls")
UNDATED_POLICIES = ("drop", "sighting")

QUEUE = pa.schema(
    [
        ("job_id", pa.string()),
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("date_source", pa.string()),
        ("seen_at", pa.timestamp("us")),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("updated_at", pa.timestamp("us")),
    ]
)
STATUS = pa.schema(
    [("canonical_url", pa.string()), ("status", pa.string()), ("reason", pa.string())]
)


@dataclass(frozen=True)
class Job:
    """One backfill: what was asked, and whether its URLs have been listed yet."""

    job_id: str
    source: str
    since: date
    until: date
    undated: str
    arguments: dict
    discovered: bool = False

    def covers(self, when: datetime) -> bool:
        """Return True if `when` falls in the window (both ends included, whole days)."""
        return self.since <= when.date() <= self.until

    @property
    def start(self) -> datetime:
        """Return the first instant of the window."""
        return datetime.combine(self.since, time.min)

    @property
    def end(self) -> datetime:
        """Return the last instant of the window."""
        return datetime.combine(self.until, time.max)


def make_job(source: str, since: date, until: date, undated: str, urls_file: Path | None) -> Job:
    """Return the job for these arguments; raises ValueError for arguments that cannot work."""
    if source == "raw":
        raise ValueError(
            "re-extraction from kept HTML is `sinorus replay --html --since … --until …` now"
        )
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}")
    if undated not in UNDATED_POLICIES:
        raise ValueError(f"unknown no-date policy {undated!r}: choose drop or sighting")
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    arguments: dict = {
        "source": source,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "undated": undated,
    }
    if source == "urls":
        if urls_file is None:
            raise ValueError("--source urls needs --urls FILE")
        content = Path(urls_file).read_bytes()
        arguments["urls_file"] = str(urls_file)
        arguments["urls_sha1"] = hashlib.sha1(content).hexdigest()
    digest = hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()[:16]
    return Job(f"{source}-{since}-{until}-{digest}", source, since, until, undated, arguments)


def open_job(lake: Lake, job: Job) -> Job:
    """Return the job as recorded in the warehouse (recording it if new)."""
    now = utcnow()
    with committing(lake, "open backfill job", None) as con:
        con.execute(
            sql("insert_backfill_job"),
            {
                "job_id": job.job_id,
                "source": job.source,
                "since": job.since,
                "until": job.until,
                "arguments": json.dumps(job.arguments),
                "undated": job.undated,
                "now": now,
            },
        )
        _, status, _ = con.execute(sql("backfill_job"), {"job_id": job.job_id}).fetchone()
    return replace(job, discovered=status in ("discovered", "completed"))


def queue_table(job: Job, candidates: list[Candidate]) -> pa.Table:
    """Return the candidates as queue rows of the job, each URL once."""
    now, rows, seen = utcnow(), [], set()
    for c in candidates:
        if c.canonical_url in seen:
            continue
        seen.add(c.canonical_url)
        rows.append(
            {
                "job_id": job.job_id,
                "canonical_url": c.canonical_url,
                "url": c.url,
                "source": c.source,
                "title": c.title,
                "published_at": c.published_at,
                "date_source": c.date_source,
                "seen_at": c.seen_at,
                "status": "pending",
                "reason": None,
                "updated_at": now,
            }
        )
    return pa.Table.from_pylist(rows, schema=QUEUE)


def save_discovery(lake: Lake, job: Job, candidates: list[Candidate], notes: list[str]) -> int:
    """Return how many URLs were queued; the queue and the job's new status land together."""
    with committing(lake, "backfill discovery", None) as con:
        batch_queue = queue_table(job, candidates)
        con.register("batch_queue", batch_queue)
        con.execute(sql("insert_backfill_queue"))
        queued = batch_queue.num_rows
        con.execute(
            sql("set_backfill_job"),
            {
                "job_id": job.job_id,
                "status": "discovered",
                "discovered": queued,
                "notes": json.dumps(notes),
                "now": utcnow(),
            },
        )
    return queued


def pending(lake: Lake, job: Job) -> list[Candidate]:
    """Return the job's URLs still to fetch, after marking those already stored as known."""
    with committing(lake, "backfill pending", None) as con:
        con.execute(sql("mark_known"), {"job_id": job.job_id, "now": utcnow()})
        rows = con.execute(sql("backfill_pending"), {"job_id": job.job_id}).fetchall()
    return [
        Candidate(canonical, url, "backfill", source, title, published, date_source, seen)
        for canonical, url, source, title, published, date_source, seen in rows
    ]


def place_in_window(
    articles: list[Article], job: Job
) -> tuple[list[Article], dict[str, tuple[str, str]]]:
    """Return the articles that belong to the window (dated per the no-date policy) and why the
    others do not, as {canonical_url: (status, reason)}.

    An article counts by its publication date: the page's, else the listing's. One with neither
    is dropped, or, under the 'sighting' policy, dated when it was seen (the listing's sighting
    date, else the fetch).
    """
    kept, rejected = [], {}
    for article in articles:
        key = article.candidate.canonical_url
        if article.published_at is None:
            if job.undated == "drop":
                rejected[key] = ("undated", "no publication date (policy: drop)")
                continue
            seen = article.candidate.seen_at or article.fetched_at
            article = replace(article, published_at=seen, date_source="sighting")
        if job.covers(article.published_at):
            kept.append(article)
        else:
            rejected[key] = ("out_of_window", f"published {article.published_at.date()}")
    return kept, rejected


def _statuses(
    loaded: Loaded, rejected: dict[str, tuple[str, str]], failures: list[Failure]
) -> pa.Table:
    assessed: list[Assessed] = loaded.assessed
    rows = [{"canonical_url": k, "status": s, "reason": r} for k, (s, r) in rejected.items()]
    rows += [
        {"canonical_url": url, "status": "known", "reason": "stored meanwhile by another run"}
        for url in loaded.already_stored
    ]
    for item in assessed:
        status = (
            "duplicate" if item.duplicate else "stored" if item.relevance.relevant else "irrelevant"
        )
        reason = f"duplicate of {item.duplicate.of}" if item.duplicate else None
        rows.append(
            {
                "canonical_url": item.article.candidate.canonical_url,
                "status": status,
                "reason": reason,
            }
        )
    for f in failures:
        kind = "transient" if f.transient else "lasting"
        rows.append(
            {
                "canonical_url": f.candidate.canonical_url,
                "status": "failed",
                "reason": f"{kind}: {f.reason}",
            }
        )
    return pa.Table.from_pylist(rows, schema=STATUS)


def load_backfill_batch(
    lake: Lake,
    job: Job,
    judged: list[Assessed],
    rejected: dict[str, tuple[str, str]],
    failures: list[Failure],
    run_id: str,
    fetch: Fetch,
    dedup: Dedup,
) -> Loaded:
    """Return what the batch commit did; its articles and queue statuses land in one snapshot."""
    with committing(lake, "backfill batch", run_id, batch=True) as con:
        loaded = write_batch(
            con,
            judged,
            failures,
            run_id,
            fetch.retry_failed_after_hours,
            dedup,
            fetch.keep_raw_html,
        )
        con.register("batch_status", _statuses(loaded, rejected, failures))
        con.execute(sql("set_queue_status"), {"job_id": job.job_id, "now": utcnow()})
    loaded.snapshot = con.snapshot
    return loaded


def progress(lake: Lake, job: Job) -> dict[str, int]:
    """Return the job's queue entries counted by status."""
    with reader(lake) as con:
        return dict(con.execute(sql("backfill_progress"), {"job_id": job.job_id}).fetchall())


def finish_job(lake: Lake, job: Job) -> dict[str, int]:
    """Return the job's final counts by status, after marking it completed."""
    with committing(lake, "finish backfill job", None) as con:
        con.execute(
            sql("set_backfill_job"),
            {
                "job_id": job.job_id,
                "status": "completed",
                "discovered": None,
                "notes": None,
                "now": utcnow(),
            },
        )
    return progress(lake, job)


def job_report(job: Job, counts: dict[str, int], notes: list[str]) -> dict:
    """Return what a summary says about the job: window, policy, counts by status, notes."""
    return {
        "job_id": job.job_id,
        "source": job.source,
        "since": job.since.isoformat(),
        "until": job.until.isoformat(),
        "undated_policy": job.undated,
        "resumed": job.discovered,
        "queue": counts,
        "notes": notes,
    }


def dry_run_report(job: Job, found: Discovery) -> dict:
    """Return what a dry run found, without anything written or fetched beyond the listings."""
    unique = {c.canonical_url: c for c in found.candidates}
    dated = [c for c in unique.values() if c.published_at is not None]
    return {
        "status": "dry-run",
        "backfill": job_report(job, {}, found.notes),
        "listed": len(found.candidates),
        "unique_urls": len(unique),
        "with_publication_date": len(dated),
        "without_date": len(unique) - len(dated),
        "sample": sorted(unique)[:20],
    }


open_job_task = task(open_job, name="open-backfill-job", cache_policy=NONE)
save_discovery_task = task(save_discovery, name="save-discovery", cache_policy=NONE)
pending_task = task(pending, name="backfill-pending", cache_policy=NONE)
place_in_window_task = task(place_in_window, name="place-in-window", cache_policy=NONE)
load_backfill_batch_task = task(load_backfill_batch, name="load-backfill-batch", cache_policy=NONE)
finish_job_task = task(finish_job, name="finish-backfill-job", cache_policy=NONE)
