"""The monitor flow: one pass over the configured feeds into the warehouse."""

from __future__ import annotations

from prefect import flow, unmapped

from config import load_settings
from flows.baseline import load_baseline
from flows.batches import Steps, fetch_and_load, quoted
from tasks.analyst.alerts import send_alerts_task
from tasks.analyst.artifacts import publish_artifacts_task, write_run_report_task
from tasks.backfill.pool import (
    has_shared_server,
    shard_feeds,
    start_runs_task,
    tally_task,
    wait_for_runs_task,
)
from tasks.clock import CLOCK
from tasks.commit import ensure_commit_limit_task
from tasks.feeds import feed_results, read_feed_task
from tasks.load import load_batch_task
from tasks.location import lake_of
from tasks.plan import feed_states_task, plan_candidates_task, select_feeds_task
from tasks.progress import Tracker
from tasks.runs import finish_run_task, record_failure, start_run_task
from tasks.summary import RunSummary
from tasks.upkeep.recount import recount_keywords_task
from tasks.urls import batches
from warehouse import Lake

SHARD_DEPLOYMENT = "monitor/shard"


def _sharded(lake: Lake, shards: int, config_path, db_path, every_feed: bool) -> dict:
    """Return the summary of a monitor pass whose feeds `shards` runs of `monitor/shard` read:
    their counts added up (each recorded its own run), one line per shard."""
    from prefect.runtime import flow_run

    parameters = [
        {"config_path": config_path, "db_path": db_path, "every_feed": every_feed, "shard": i}
        for i in range(shards)
    ]
    states = wait_for_runs_task(start_runs_task(SHARD_DEPLOYMENT, parameters))
    tallied = tally_task(lake, states)
    summary = RunSummary(run_id=(flow_run.id or "").replace("-", ""), flow="monitor")
    for key, value in tallied["totals"].items():
        setattr(summary, key, value)
    failed = [run for run in tallied["runs"] if run["state"] != "Completed"]
    if failed:
        summary.error = f"{len(failed)} of {shards} shards did not complete"
    summary.conclude()
    return {**summary.as_dict(), "shards": tallied["runs"]}


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
    load_baseline(lake, settings)
    shards = settings.monitor.shards
    if shard is None and shards > 1:
        if has_shared_server():
            return _sharded(lake, shards, config_path, db_path, every_feed)
        print(f"monitor.shards = {shards}, but no work pool (PREFECT_API_URL): one run reads all")
    feeds_here = settings.feeds if shard is None else shard_feeds(settings.feeds, shard, shards)
    summary = start_run_task(lake, "monitor", 2 * settings.run.max_seconds, settings.trends)
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
    left = fetch_and_load(
        batches(plan.candidates, settings.fetch.batch_size),
        settings,
        Steps(
            commit=lambda judged, _, failures: quoted(load_batch_task)(
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
            failed=summary.add_failed_batch,
            done=fetching.advance,
        ),
        deadline,
    )
    plan = plan.leaving(left)
    summary.held_back = plan.held_back
    summary.left_urls = sum(plan.held_back.values())
    done = quoted(finish_run_task)(lake, summary, feeds, states, plan, settings.polling).as_dict()
    report = write_run_report_task(lake, settings)
    quoted(publish_artifacts_task)(lake, done, report)
    send_alerts_task(lake, settings.alerts, done["run_id"])
    return done
