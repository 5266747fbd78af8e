"""Runs of a deployment on a work pool: started, waited for, and added up into one summary.

A sharded monitor starts N runs of `monitor/shard`, a pooled backfill N runs of
`backfill/worker`; each records its own row in `runs`, read back here (tasks/sharing.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from tasks.commit import shared_server
from tasks.sharing import tally_task
from tasks.summary import RunSummary
from warehouse import Lake

POLL_SECONDS = 2.0


class NoWorkPool(RuntimeError):
    """Runs on a work pool were asked for, but there is no shared Prefect server."""


def require_shared_server(what: str) -> None:
    """Raise NoWorkPool unless PREFECT_API_URL names a server the pool's workers also use."""
    if not shared_server():
        raise NoWorkPool(
            f"{what} runs on a work pool: set PREFECT_API_URL to the Prefect server its workers "
            "use, deploy prefect.yaml and start `prefect worker start --pool sinorus` "
            "(README: A backfill shared by many workers)"
        )


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


start_runs_task = task(start_runs, name="start-pool-runs", cache_policy=NONE)
wait_for_runs_task = task(wait_for_runs, name="wait-for-pool-runs", cache_policy=NONE)


@dataclass
class Pooled:
    """What the runs of a deployment did: their counts added up, one line per run, their states."""

    summary: RunSummary
    runs: list[dict]
    states: dict[str, str]


def run_on_pool(lake: Lake, deployment: str, parameters: list[dict], flow: str) -> Pooled:
    """Return what one run of `deployment` per parameter set did, once every run is final: the
    summary of this (`flow`) run holds their counts, not yet concluded."""
    from prefect.runtime import flow_run

    ids = start_runs_task(deployment, parameters)
    print(f"{len(ids)} runs of {deployment}: flow runs {', '.join(ids)}")
    states = wait_for_runs_task(ids)
    tallied = tally_task(lake, states)
    summary = RunSummary(run_id=(flow_run.id or "").replace("-", ""), flow=flow)
    for key, value in tallied["totals"].items():
        setattr(summary, key, value)
    return Pooled(summary=summary, runs=tallied["runs"], states=states)
