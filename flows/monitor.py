"""The monitor flow: one pass over the configured feeds into the warehouse."""

from __future__ import annotations

import time

from prefect import flow, unmapped

from config import load_settings
from flows.baseline import load_baseline
from flows.batches import Steps, fetch_and_load
from tasks.commit import ensure_commit_limit_task
from tasks.feeds import feed_results, read_feed_task
from tasks.load import load_batch_task
from tasks.location import lake_of
from tasks.plan import feed_states_task, plan_candidates_task, select_feeds_task
from tasks.progress import Tracker
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.urls import batches


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(
    name="monitor",
    log_prints=True,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def monitor(
    config_path: str | None = None, db_path: str | None = None, every_feed: bool = False
) -> dict:
    """Return the run summary after reading the feeds that are due and loading what is new.

    `every_feed` reads every feed that is not paused, due or not.
    """
    deadline = time.monotonic()
    settings = load_settings(config_path).with_db(db_path)
    deadline += settings.run.max_seconds
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    load_baseline(lake, settings)
    summary = start_run_task(lake, "monitor", 2 * settings.run.max_seconds, settings.trends)
    states = feed_states_task(lake)
    due, waiting = select_feeds_task(settings.feeds, states, every_feed)
    summary.feeds_due, summary.feeds_waiting = len(due), len(waiting)

    reading = Tracker("feeds", len(due), unit="feeds").start()
    futures = read_feed_task.map(due, unmapped(states), unmapped(settings.fetch))
    outcomes = []
    for future in futures:
        outcomes.append(future.result(raise_on_failure=False))
        reading.advance(1)
    feeds = feed_results(due, outcomes)
    summary.add_feeds(feeds)

    plan = plan_candidates_task(lake, feeds, "monitor", settings.fetch.max_new_per_feed)
    summary.new_urls = len(plan.candidates)
    fetching = Tracker("pages", len(plan.candidates)).start()
    left = fetch_and_load(
        batches(plan.candidates, settings.fetch.batch_size),
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
                settings.fetch.dns_failures_before_lasting,
            ),
            count=summary.add_batch,
            done=fetching.advance,
        ),
        deadline,
    )
    plan = plan.leaving(left)
    summary.held_back = plan.held_back
    summary.left_urls = sum(plan.held_back.values())
    return finish_run_task(lake, summary, feeds, states, plan, settings.polling).as_dict()
