"""The monitor flow: one pass over the configured feeds into the warehouse."""

from __future__ import annotations

from prefect import flow, unmapped

from config import load_settings
from flows.pool import run_on_pool
from flows.stages import TASKS, quoted
from tasks.analyst.alerts import send_alerts_task
from tasks.analyst.artifacts import publish_artifacts_task, write_run_report_task
from tasks.clock import CLOCK
from tasks.commit import ensure_commit_limit_task, shared_server
from tasks.feeds import feed_results, read_feed_task
from tasks.location import lake_of
from tasks.pipeline import run_batches
from tasks.plan import feed_states_task, plan_candidates_task, select_feeds_task
from tasks.progress import Tracker
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.seeds import load_seeds_task
from tasks.sharing import shard_feeds
from tasks.sinks import Store
from tasks.upkeep.recount import recount_keywords_task
from tasks.urls import batches
from warehouse import Lake

SHARD_DEPLOYMENT = "monitor/shard"


def _sharded(lake: Lake, shards: int, config_path, db_path, every_feed: bool) -> dict:
    """Return the summary of a monitor pass whose feeds `shards` runs of `monitor/shard` read:
    their counts added up (each recorded its own run), one line per shard."""
    parameters = [
        {"config_path": config_path, "db_path": db_path, "every_feed": every_feed, "shard": i}
        for i in range(shards)
    ]
    pooled = run_on_pool(lake, SHARD_DEPLOYMENT, parameters, "monitor")
    summary = pooled.summary
    failed = [run for run in pooled.runs if run["state"] != "Completed"]
    if failed:
        summary.error = f"{len(failed)} of {shards} shards did not complete"
    summary.conclude()
    return {**summary.as_dict(), "shards": pooled.runs}


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(
    name="monitor",
    log_prints=True,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def monitor(
    config_path: str | None = None,
    db_path: str | None = None,
    every_feed: bool = False,
    shard: int | None = None,
) -> dict:
    """Return the run summary after reading the feeds that are due and loading what is new.

    `every_feed` reads every feed that is not paused, due or not. With `monitor.shards` > 1 on
    a work pool, the feeds are split into shards, each read by a run of `monitor/shard` (this
    flow, given its `shard`).
    """
    deadline = CLOCK.monotonic()
    settings = load_settings(config_path).with_db(db_path)
    deadline += settings.run.max_seconds
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    quoted(load_seeds_task)(lake, settings)
    shards = settings.monitor.shards
    if shard is None and shards > 1:
        if shared_server():
            return _sharded(lake, shards, config_path, db_path, every_feed)
        print(f"monitor.shards = {shards}, but no work pool (PREFECT_API_URL): one run reads all")
    feeds_here = settings.feeds if shard is None else shard_feeds(settings.feeds, shard, shards)
    summary = start_run_task(
        lake, "monitor", 2 * settings.run.max_seconds, settings.trends, settings.feeds
    )
    recount_keywords_task(lake, settings.keywords, summary.run_id)
    states = feed_states_task(lake)
    due, waiting = select_feeds_task(feeds_here, states, every_feed)
    summary.feeds_due, summary.feeds_waiting = len(due), len(waiting)

    reading = Tracker("feeds", len(due), unit="feeds").start()
    futures = read_feed_task.map(due, unmapped(states), unmapped(settings.fetch))
    outcomes = []
    for future in futures:
        outcomes.append(future.result(raise_on_failure=False))
        reading.advance(1)
    feeds = feed_results(due, outcomes)
    summary.add_feeds(feeds)

    plan = quoted(plan_candidates_task)(lake, feeds, "monitor", settings.fetch.max_new_per_feed)
    summary.new_urls = len(plan.candidates)
    fetching = Tracker("pages", len(plan.candidates)).start()
    left = run_batches(
        batches(plan.candidates, settings.fetch.batch_size),
        Store(lake, summary.run_id),
        settings,
        summary,
        stages=TASKS,
        progress=fetching,
        deadline=deadline,
    )
    plan = plan.leaving(left)
    summary.held_back = plan.held_back
    summary.left_urls = sum(plan.held_back.values())
    done = quoted(finish_run_task)(lake, summary, feeds, states, plan, settings.polling).as_dict()
    report = write_run_report_task(lake, settings)
    quoted(publish_artifacts_task)(lake, done, report)
    send_alerts_task(lake, settings.alerts, done["run_id"])
    return done
