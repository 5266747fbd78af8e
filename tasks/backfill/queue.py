"""A backfill job's bookkeeping in the warehouse: its row, its queue of URLs, their statuses.

The same command run again finds its job (the id is a hash of the arguments, tasks/backfill/
window.py): discovery is not repeated, and only the queue entries not yet done are processed.
Each batch's articles and queue statuses land in one commit, so a kill loses at most the batch
in flight.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Dedup, Events, Fetch
from tasks.backfill.window import Job
from tasks.commit import committing
from tasks.event_assignment import DEFAULT_EVENTS
from tasks.load import Loaded, write_batch
from tasks.records import Assessed, Candidate, Failure, utcnow
from tasks.urls import strip_credentials
from warehouse import Lake, reader, sql

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
        # Discovered entries are nobody's yet: a worker's claim sets these (tasks/backfill/lease.py).
        ("claimed_by", pa.string()),
        ("claim_id", pa.string()),
        ("lease_until", pa.timestamp("us")),
    ]
)
STATUS = pa.schema(
    [("canonical_url", pa.string()), ("status", pa.string()), ("reason", pa.string())]
)


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


def queued_candidates(rows: list[tuple]) -> list[Candidate]:
    """Return queue rows (canonical_url, url, source, title, published_at, date_source, seen_at)
    as the candidates to fetch."""
    return [
        Candidate(
            canonical_url=canonical,
            url=strip_credentials(url),
            origin="backfill",
            source=source,
            title=title,
            published_at=published,
            date_source=date_source,
            seen_at=seen,
        )
        for canonical, url, source, title, published, date_source, seen in rows
    ]


def pending(lake: Lake, job: Job) -> list[Candidate]:
    """Return the job's URLs still to fetch, after marking those already stored as known."""
    with committing(lake, "backfill pending", None) as con:
        con.execute(sql("mark_known"), {"job_id": job.job_id, "now": utcnow()})
        rows = con.execute(sql("backfill_pending"), {"job_id": job.job_id}).fetchall()
    return queued_candidates(rows)


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
    run_id: str | None,
    fetch: Fetch,
    dedup: Dedup,
    worker: str | None = None,
    events: Events = DEFAULT_EVENTS,
) -> Loaded:
    """Return what the batch commit did; its articles and queue statuses land in one snapshot.

    A `worker`'s batch (lease.py) records the statuses of the entries it still holds only.
    """
    with committing(lake, "backfill batch", run_id, batch=True) as con:
        loaded = write_batch(
            con,
            judged,
            failures,
            run_id,
            fetch.retry_failed_after_hours,
            dedup,
            fetch.keep_raw_html,
            fetch.dns_failures_before_lasting,
            events,
        )
        con.register("batch_status", _statuses(loaded, rejected, failures))
        if worker is None:
            con.execute(sql("set_queue_status"), {"job_id": job.job_id, "now": utcnow()})
        else:
            con.execute(
                sql("backfill_set_claimed_status"),
                {"job_id": job.job_id, "worker": worker, "now": utcnow()},
            )
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


open_job_task = task(open_job, name="open-backfill-job", cache_policy=NONE)
save_discovery_task = task(save_discovery, name="save-discovery", cache_policy=NONE)
pending_task = task(pending, name="backfill-pending", cache_policy=NONE)
finish_job_task = task(finish_job, name="finish-backfill-job", cache_policy=NONE)
