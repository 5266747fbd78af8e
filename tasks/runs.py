"""Run bookkeeping: a run's row in the warehouse, from start to end, and the feeds' new state.

A run records where it runs (host and process), and each of its batch commits is a sign of life.
The next run to start marks any run still `running` as `crashed`, with the time it was found,
when its process is gone (on this machine) or, on another machine, when it gave no sign of life
for twice the run deadline: a killed run never stays `running`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Feed, Polling, Trends
from tasks.commit import committing
from tasks.location import lake_of
from tasks.plan import Plan
from tasks.polling import next_poll
from tasks.records import FeedResult, FeedState, utcnow
from tasks.summary import DETAILS, RunSummary
from warehouse import Commit, Lake, sql, writer

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
        ("next_fetch_at", pa.timestamp("us")),
        ("interval_minutes", pa.float64()),
        ("items_per_day", pa.float64()),
        ("new_items", pa.int32()),
    ]
)


FEED_TAGS = pa.schema([("source", pa.string()), ("url", pa.string()), ("country", pa.string())])
FEED_COLLECTIONS = pa.schema([("source", pa.string()), ("collection", pa.string())])


def _gone(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def stale_runs(rows: list[tuple], host: str, now, stale_after: timedelta) -> list[tuple[str, str]]:
    """Return (run_id, why) for the `running` rows whose run cannot be running any more."""
    found = []
    for run_id, run_host, pid, last_sign in rows:
        if run_host == host:
            if _gone(pid):
                why = f"crashed: process {pid} on {host} was gone at {now:%F %T} UTC"
                found.append((run_id, why))
        elif last_sign < now - stale_after:
            why = f"crashed: no sign of life from {run_host} since {last_sign:%F %T} UTC"
            found.append((run_id, f"{why} (found at {now:%F %T} UTC)"))
    return found


def feed_tag_rows(feeds: Sequence[Feed]) -> set[tuple]:
    """Return the feeds' tags as rows of `feed_tag_rows.sql`: ("tag", name, url, country) a feed
    and ("collection", name, collection, None) a feed name and collection."""
    tags = {("tag", feed.name, feed.url, feed.country) for feed in feeds}
    return tags | {("collection", f.name, name, None) for f in feeds for name in f.collections}


def write_feed_tags(con: Commit, feeds: Sequence[Feed]) -> bool:
    """Return whether `feed_tags` and `feed_collections` (on a writer's connection) were replaced
    by the feeds' tags: when they hold them already they are left alone, with no new snapshot."""
    wanted = feed_tag_rows(feeds)
    if set(con.execute(sql("feed_tag_rows")).fetchall()) == wanted:
        return False
    rows = sorted(wanted, key=str)
    tags = [{"source": row[1], "url": row[2], "country": row[3]} for row in rows if row[0] == "tag"]
    collections = [
        {"source": row[1], "collection": row[2]} for row in rows if row[0] == "collection"
    ]
    con.register("run_feed_tags", pa.Table.from_pylist(tags, schema=FEED_TAGS))
    con.register("run_feed_collections", pa.Table.from_pylist(collections, schema=FEED_COLLECTIONS))
    con.execute(sql("replace_feed_tags"))
    return True


def start_run(
    lake: Lake,
    flow: str,
    stale_after_seconds: float = 3000,
    trends: Trends | None = None,
    feeds: Sequence[Feed] | None = None,
) -> RunSummary:
    """Return a new run's summary after recording the run as started (and earlier runs that
    died as crashed), with the run's `[trends]` thresholds stored for the trend views and its
    feeds' country and collections for the collection views (when given).

    Inside a Prefect flow run the run takes its id, so the failure hook can find the row.
    """
    from prefect.runtime import flow_run

    run_id = (flow_run.id or uuid.uuid4().hex).replace("-", "")
    summary = RunSummary(run_id=run_id, flow=flow)
    now, host = utcnow(), socket.gethostname()
    with committing(lake, "start run", run_id) as con:
        running = con.execute(sql("running_runs")).fetchall()
        for stale_id, why in stale_runs(running, host, now, timedelta(seconds=stale_after_seconds)):
            con.execute(sql("crash_run"), {"run_id": stale_id, "error": why, "now": now})
        con.execute(
            sql("start_run"),
            {"run_id": run_id, "flow": flow, "now": now, "host": host, "pid": os.getpid()},
        )
        if trends is not None:
            con.register("run_trend_settings", pa.Table.from_pylist(trends.as_rows()))
            con.execute(sql("replace_trend_settings"))
        if feeds is not None:
            write_feed_tags(con, feeds)
    return summary


def feed_table(
    results: list[FeedResult], states: dict[str, FeedState], plan: Plan | None, polling: Polling
) -> pa.Table:
    """Return the feed checks as rows for upsert_feeds, each with when it is due next.

    A feed whose links were not all taken this run (held back, or left at the deadline) keeps
    its old validators, so that the next run reads its entries again instead of a 304.
    """
    now = utcnow()
    unfinished = set(plan.held_back) if plan is not None else set()
    rows = []
    for result in results:
        new_items = plan.new_per_feed.get(result.feed.name, 0) if plan is not None else 0
        poll = next_poll(states.get(result.feed.url), result, new_items, now, polling)
        keep = result.feed.name not in unfinished
        rows.append(
            {
                "url": result.feed.url,
                "name": result.feed.name,
                "etag": result.etag if keep else None,
                "last_modified": result.last_modified if keep else None,
                "body_hash": result.body_hash if keep else None,
                "status": result.status,
                "error": result.error or result.warning,
                "http_status": result.http_status,
                "entries": len(result.entries) if result.status == "ok" else None,
                "ok": result.ok,
                "now": now,
                # a feed with links left over is due again at the next run
                "next_fetch_at": poll.next_fetch_at if keep else now,
                "interval_minutes": poll.interval_minutes,
                "items_per_day": poll.items_per_day,
                "new_items": poll.new_items,
            }
        )
    return pa.Table.from_pylist(rows, schema=FEED_CHECKS)


def finish_run(
    lake: Lake,
    summary: RunSummary,
    feeds: list[FeedResult],
    states: dict[str, FeedState] | None = None,
    plan: Plan | None = None,
    polling: Polling | None = None,
) -> RunSummary:
    """Return the summary after recording the feeds' new state and the run's counts together.

    Feed validators are saved only now, after every batch is loaded: a run that dies midway
    leaves them as they were, so the next run reads the same entries again and loses none.
    """
    summary.conclude()
    counts = {
        k: v
        for k, v in summary.as_dict().items()
        if k not in DETAILS and not isinstance(v, dict | list)
    }
    with committing(lake, "finish run", summary.run_id) as con:
        if feeds and polling is not None:
            con.register("batch_feeds", feed_table(feeds, states or {}, plan, polling))
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
