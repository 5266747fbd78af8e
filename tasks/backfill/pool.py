"""Runs of a deployment on a work pool: start N of them, wait for them, tally what they recorded;
and the monitor's feeds split into shards.

A pooled backfill starts N runs of `backfill/worker`, a sharded monitor N runs of `monitor/shard`;
each run records its own row in `runs` (its run id is its flow run's), so what they did is read
back from the warehouse, whichever machine they ran on.
"""

from __future__ import annotations

import os
import time
import zlib

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from warehouse import Lake, reader, sql

POLL_SECONDS = 2.0
# Counted over the workers' rows of `runs` (the columns a run summary adds up).
COUNTS = (
    "feeds_ok",
    "feeds_failed",
    "entries_seen",
    "new_urls",
    "pages_fetched",
    "pages_failed",
    "extracted",
    "relevant",
    "irrelevant",
    "duplicates",
    "stored",
)


class NoWorkPool(RuntimeError):
    """Runs on a work pool were asked for, but there is no shared Prefect server."""


def has_shared_server() -> bool:
    """Return True if PREFECT_API_URL names a server a pool's workers can also reach."""
    return bool(os.environ.get("PREFECT_API_URL"))


def require_shared_server(what: str) -> None:
    """Raise NoWorkPool unless PREFECT_API_URL names a server the pool's workers also use."""
    if not has_shared_server():
        raise NoWorkPool(
            f"{what} runs on a work pool: set PREFECT_API_URL to the Prefect server its workers "
            "use, deploy prefect.yaml and start `prefect worker start --pool sinorus` "
            "(README: A backfill shared by many workers)"
        )


def politeness_share(settings: Settings, workers: int) -> Settings:
    """Return the settings of one of `workers` runs sharing a host: each waits `workers` times
    the pause between two requests to it (and takes its share of the parallel requests), so
    together they keep the configured pace without asking a server before every request.

    A worker that dies leaves the others at their share: slower, never faster than the limit.
    """
    if workers <= 1:
        return settings
    fetch = settings.fetch.model_copy(
        update={
            "per_host_delay_seconds": settings.fetch.per_host_delay_seconds * workers,
            "per_host_concurrency": max(1, settings.fetch.per_host_concurrency // workers),
        }
    )
    return settings.model_copy(update={"fetch": fetch})


def start_runs(deployment: str, parameters: list[dict]) -> list[str]:
    """Return the flow run ids of one run of `deployment` per parameter set, started now."""
    from prefect.deployments import run_deployment

    runs = [run_deployment(deployment, parameters=p, timeout=0) for p in parameters]
    return [str(run.id) for run in runs]


def wait_for_runs(ids: list[str], poll_seconds: float = POLL_SECONDS) -> dict[str, str]:
    """Return each run's final state name ({id: 'Completed' | 'Crashed' | …}) once all are final."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        while True:
            runs = [client.read_flow_run(run_id) for run_id in ids]
            if all(run.state is not None and run.state.is_final() for run in runs):
                return {str(run.id): run.state.name for run in runs}
            time.sleep(poll_seconds)


def tally(lake: Lake, states: dict[str, str]) -> dict:
    """Return the runs' counts added up, and one line per run: its state and its own counts."""
    run_ids = [run_id.replace("-", "") for run_id in states]
    with reader(lake) as con:
        cursor = con.execute(sql("backfill_worker_runs"), {"run_ids": run_ids})
        columns = [c[0] for c in cursor.description]
        found = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    recorded = {row["run_id"]: row for row in found}
    totals = dict.fromkeys(COUNTS, 0)
    runs = []
    for flow_run_id, state in states.items():
        row = recorded.get(flow_run_id.replace("-", ""), {})
        for key in COUNTS:
            totals[key] += row.get(key) or 0
        runs.append(
            {
                "flow_run": flow_run_id,
                "state": state,
                "status": row.get("status", "not started"),
                "host": row.get("host"),
                "pages_fetched": row.get("pages_fetched") or 0,
                "stored": row.get("stored") or 0,
                "error": row.get("error"),
            }
        )
    return {"totals": totals, "runs": runs}


start_runs_task = task(start_runs, name="start-pool-runs", cache_policy=NONE)
wait_for_runs_task = task(wait_for_runs, name="wait-for-pool-runs", cache_policy=NONE)
tally_task = task(tally, name="tally-pool-runs", cache_policy=NONE)


def shard_of(name: str, shards: int) -> int:
    """Return the shard (0 … shards-1) a feed belongs to: stable across runs and machines."""
    return zlib.crc32(name.encode("utf-8")) % shards


def shard_feeds(feeds: list, shard: int, shards: int) -> list:
    """Return the feeds (anything with a `name`) of one shard, in their order."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0 … {shards - 1}")
    return [feed for feed in feeds if shard_of(feed.name, shards) == shard]
