"""The monitor flow: one pass over the configured feeds into the warehouse."""

from __future__ import annotations

from prefect import flow, unmapped

from config import load_settings
from flows.baseline import load_baseline
from flows.batches import Steps, fetch_and_load
from tasks.commit import ensure_commit_limit_task
from tasks.feeds import feed_results, read_feed_task
from tasks.load import load_batch_task
from tasks.location import lake_of
from tasks.plan import feed_states_task, plan_candidates_task
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.urls import batches


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(
    name="monitor",
    log_prints=True,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def monitor(config_path: str | None = None, db_path: str | None = None) -> dict:
    """Return the run summary after reading every feed and loading what is new and relevant."""
    settings = load_settings(config_path).with_db(db_path)
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    load_baseline(lake, settings)
    summary = start_run_task(lake, "monitor")
    states = feed_states_task(lake)

    futures = read_feed_task.map(settings.feeds, unmapped(states), unmapped(settings.fetch))
    feeds = feed_results(settings.feeds, [f.result(raise_on_failure=False) for f in futures])
    summary.add_feeds(feeds)

    candidates = plan_candidates_task(lake, feeds, "monitor")
    summary.new_urls = len(candidates)
    fetch_and_load(
        batches(candidates, settings.fetch.batch_size),
        settings,
        Steps(
            commit=lambda judged, _, failures: load_batch_task(
                lake,
                judged,
                failures,
                summary.run_id,
                settings.fetch.retry_failed_after_hours,
                settings.dedup,
                settings.fetch.keep_raw_html,
            ),
            count=summary.add_batch,
        ),
    )

    return finish_run_task(lake, summary, feeds).as_dict()
