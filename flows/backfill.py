"""The backfill flow: fill a past window from feeds' archives, sitemaps, GDELT or a URL file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow

from config import load_settings
from flows.baseline import load_baseline
from flows.batches import Steps, fetch_and_load
from tasks.backfill.discover import discover_task
from tasks.backfill.queue import (
    finish_job_task,
    load_backfill_batch_task,
    open_job_task,
    pending_task,
    place_in_window_task,
    save_discovery_task,
)
from tasks.backfill.window import dry_run_report, job_report, make_job
from tasks.commit import ensure_commit_limit_task
from tasks.location import lake_of
from tasks.progress import Tracker
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.urls import batches


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
) -> dict:
    """Return the run summary after filling [since, until] from the source (or, dry, what it lists)."""
    settings = load_settings(config_path).with_db(db_path)
    job = make_job(
        source,
        since,
        until,
        undated or settings.backfill.undated,
        Path(urls_file) if urls_file else None,
    )
    if dry_run:
        return dry_run_report(job, discover_task(settings, job))

    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    load_baseline(lake, settings)
    job = open_job_task(lake, job)
    summary = start_run_task(lake, "backfill", 2 * settings.run.max_seconds, settings.trends)
    notes: list[str] = []
    if not job.discovered:
        found = discover_task(settings, job)
        notes = found.notes
        save_discovery_task(lake, job, found.candidates, notes)
    todo = pending_task(lake, job)
    summary.new_urls = len(todo)
    tracker = Tracker(f"backfill {job.since}..{job.until} from {job.source}", len(todo)).start()
    fetch_and_load(
        batches(todo, settings.fetch.batch_size),
        settings,
        Steps(
            place=lambda articles: place_in_window_task(articles, job),
            commit=lambda judged, rejected, failures: load_backfill_batch_task(
                lake,
                job,
                judged,
                rejected,
                failures,
                summary.run_id,
                settings.fetch,
                settings.dedup,
            ),
            count=summary.add_batch,
            done=tracker.advance,
        ),
    )

    summary.backfill = job_report(job, finish_job_task(lake, job), notes)
    return finish_run_task(lake, summary, []).as_dict()
