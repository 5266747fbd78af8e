"""The replay flow: stored articles judged again (or re-extracted, then judged), page by page."""

from __future__ import annotations

from datetime import date

from prefect import flow

from config import load_settings
from flows.stages import TASKS, quoted
from tasks.commit import ensure_commit_limit_task
from tasks.event_assignment import reassign_window_task
from tasks.lake_source import read_stored_task, stored_batches
from tasks.location import lake_of
from tasks.pipeline import run_batches
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.seeds import load_seeds_task
from tasks.sinks import Replayed, Rewrite


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(name="replay", log_prints=True, on_failure=[record_failure], on_crashed=[record_failure])
def replay(
    mode: str = "rules",
    since: date | None = None,
    until: date | None = None,
    config_path: str | None = None,
    db_path: str | None = None,
    page_size: int = 200,
) -> dict:
    """Return the run summary after replaying the window's stored articles (`rules` or `html`),
    then re-assigning their events in publication order.

    `page_size` articles are read, judged and written back at a time (a few MB of text).
    """
    settings = load_settings(config_path).with_db(db_path)
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    quoted(load_seeds_task)(lake, settings)
    summary = start_run_task(
        lake, "replay", 2 * settings.run.max_seconds, settings.trends, settings.feeds
    )
    window = Replayed(mode, since and since.isoformat(), until and until.isoformat())
    left = run_batches(
        stored_batches(lake, mode, since, until, page_size, read=read_stored_task),
        Rewrite(lake, summary.run_id, window),
        settings,
        summary,
        stages=TASKS,
    )
    summary.left_urls = len(left)  # a batch that failed: its articles keep their old judgement
    # Events depend on the order of the window's articles: re-assigned after all are judged.
    window.events = reassign_window_task(
        lake, since, until, settings.events, summary.run_id, page_size
    )
    summary.replay = window.as_dict()
    return quoted(finish_run_task)(lake, summary, []).as_dict()
