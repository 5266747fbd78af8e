"""The backfill flow: fill a past window from feeds' archives, sitemaps, GDELT or a URL file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from prefect import flow

from config import load_settings
from config.settings import Settings
from flows.pool import require_shared_server, run_on_pool
from flows.stages import TASKS, quoted
from tasks.backfill.discover import discover_task
from tasks.backfill.lease import claim_task, leases_task, load_job, renewing, reopen_task
from tasks.backfill.queue import finish_job_task, open_job_task, pending_task, save_discovery_task
from tasks.backfill.window import Job, dry_run_report, job_report, make_job
from tasks.clock import CLOCK, Clock
from tasks.commit import ensure_commit_limit_task
from tasks.location import lake_of
from tasks.pipeline import run_batches
from tasks.progress import Tracker
from tasks.records import Candidate
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.seeds import load_seeds_task
from tasks.sharing import politeness_share
from tasks.sinks import Queued
from tasks.summary import RunSummary
from tasks.urls import batches
from warehouse import Lake

WORKER_DEPLOYMENT = "backfill/worker"
# How often a worker with nothing to claim looks again while others hold leases.
IDLE_POLL_SECONDS = 3.0


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(
    name="backfill",
    log_prints=True,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def backfill(
    since: date,
    until: date,
    source: str = "feeds",
    urls_file: str | None = None,
    undated: str | None = None,
    dry_run: bool = False,
    config_path: str | None = None,
    db_path: str | None = None,
    workers: int | None = None,
) -> dict:
    """Return the run summary after filling [since, until] from the source (or, dry, what it lists).

    With `workers` > 1 (default: `backfill.workers`) the URLs are fetched by that many runs of
    the `backfill/worker` deployment on the work pool, sharing the job's queue.
    """
    settings = load_settings(config_path).with_db(db_path)
    workers = settings.backfill.workers if workers is None else workers
    job = make_job(
        source,
        since,
        until,
        undated or settings.backfill.undated,
        Path(urls_file) if urls_file else None,
    )
    if dry_run:
        return dry_run_report(job, discover_task(settings, job))

    if workers > 1:
        require_shared_server("a backfill with --workers")
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    quoted(load_seeds_task)(lake, settings)
    job = open_job_task(lake, job)
    if workers > 1:
        notes = _discover(lake, settings, job)
        return _pooled(lake, job, notes, workers, config_path, db_path)
    summary = start_run_task(
        lake, "backfill", 2 * settings.run.max_seconds, settings.trends, settings.feeds
    )
    notes = _discover(lake, settings, job)
    todo = pending_task(lake, job)
    summary.new_urls = len(todo)
    tracker = Tracker(f"backfill {job.since}..{job.until} from {job.source}", len(todo)).start()
    run_batches(
        batches(todo, settings.fetch.batch_size),
        Queued(lake, summary.run_id, job),
        settings,
        summary,
        stages=TASKS,
        progress=tracker,
    )

    summary.backfill = job_report(job, finish_job_task(lake, job), notes)
    return quoted(finish_run_task)(lake, summary, []).as_dict()


def _discover(lake: Lake, settings: Settings, job: Job) -> list[str]:
    """Return what the source said while listing, after queueing what it found (once a job)."""
    if job.discovered:
        return []
    found = discover_task(settings, job)
    save_discovery_task(lake, job, found.candidates, found.notes)
    return found.notes


def _pooled(
    lake: Lake,
    job: Job,
    notes: list[str],
    workers: int,
    config_path: str | None,
    db_path: str | None,
) -> dict:
    """Return the summary of a backfill whose queue `workers` runs of `backfill/worker` shared:
    their counts added up (each recorded its own run), one line per worker, the job's queue."""
    queued = reopen_task(lake, job)
    parameters = {
        "job_id": job.job_id,
        "config_path": config_path,
        "db_path": db_path,
        "workers": workers,
    }
    print(f"{queued} URLs for {workers} workers")
    pooled = run_on_pool(lake, WORKER_DEPLOYMENT, [parameters] * workers, "backfill")
    counts = finish_job_task(lake, job)
    summary, states = pooled.summary, pooled.states
    summary.new_urls = queued
    summary.left_urls = counts.get("pending", 0)
    if not any(state == "Completed" for state in states.values()):
        summary.error = f"no worker run completed: {', '.join(sorted(set(states.values())))}"
    summary.conclude()
    summary.backfill = job_report(job, counts, notes)
    return {**summary.as_dict(), "workers": pooled.runs}


def claimed_batches(
    lake: Lake,
    job: Job,
    worker: str,
    size: int,
    lease_seconds: float,
    summary: RunSummary,
    clock: Clock = CLOCK,
) -> Iterator[list[Candidate]]:
    """Yield batches claimed from the job's queue until none is left nor held by another worker.

    While other workers hold leases on pending URLs this one waits: a lease that runs out (its
    worker died) makes its batch claimable here.
    """
    while True:
        batch = claim_task(lake, job, worker, size, lease_seconds, clock)
        if batch:
            summary.new_urls += len(batch)
            yield batch
            continue
        wait = leases_task(lake, job, worker, clock).wait_seconds(clock.now())
        if wait is None:
            return
        clock.sleep(min(wait + 0.2, IDLE_POLL_SECONDS))


# One of a pooled backfill's workers: started as the `backfill/worker` deployment, N at a time.
@flow(
    name="backfill",
    log_prints=True,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def backfill_worker(
    job_id: str, config_path: str | None = None, db_path: str | None = None, workers: int = 1
) -> dict:
    """Return this worker's run summary after claiming, fetching and committing batches of the
    job's queue until it is empty, at its share (1 / `workers`) of each host's pace."""
    settings = politeness_share(load_settings(config_path).with_db(db_path), workers)
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    job = load_job(lake, job_id)
    summary = start_run_task(lake, "backfill", 2 * settings.run.max_seconds, None)
    worker, lease = summary.run_id, settings.backfill.lease_seconds
    with renewing(lake, job, worker, lease):
        run_batches(
            claimed_batches(lake, job, worker, settings.fetch.batch_size, lease, summary),
            Queued(lake, summary.run_id, job, worker),
            settings,
            summary,
            stages=TASKS,
        )
    return quoted(finish_run_task)(lake, summary, []).as_dict()
