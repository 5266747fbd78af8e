"""Beyond one machine: a PostgreSQL catalog, a shared data folder, and two workers of a work pool.

A real throwaway PostgreSQL cluster (Debian's `postgresql`, devtools/pg_cluster.py) holds the lake's
catalog; its Parquet files go to a folder every process sees. The monitor is deployed from the
repo's `prefect.yaml` to a process work pool on the session's Prefect server, two workers take a
run each, and the two runs read the same feeds at once: every page is stored once.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

import tests.test_concurrency as concurrency
from devtools.newsroom_server import Newsroom
from devtools.pg_cluster import Cluster, postgres_cluster
from tests.conftest import NEWSROOM_FEEDS, rows, write_config
from warehouse import Lake, snapshots
from warehouse.db import release_all

ROOT = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "sinorus"
DEPLOYMENTS = ("monitor/pool", "backfill/pool", "maintenance/pool")
RUN_SECONDS = 600  # two runs on a slow, shared 2-core machine; they take ~1 min together
SEED_ARTICLES = 5
PULL_STEP = {
    "prefect.deployments.steps.set_working_directory": {"directory": "{{ $SINORUS_HOME }}"}
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this module's own, stopped and removed after it."""
    with postgres_cluster() as running:
        try:
            yield running
        finally:
            # This process attached lakes on the cluster; once it is gone they would fail every
            # catalog-wide query of the lakes the next tests use.
            release_all()


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    """The session's Prefect server, for the workers and the CLI to share."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _sinorus(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sinorus.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"sinorus {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


def _psql(cluster: Cluster, dbname: str, query: str) -> str:
    done = subprocess.run(
        [str(cluster.bindir / "psql"), "-X", "-A", "-t", "-c", query]
        + ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", dbname],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_lake_on_a_postgres_catalog_with_its_files_in_a_shared_folder(
    cluster: Cluster, tmp_path: Path
) -> None:
    catalog = "postgres:" + cluster.create_database("lake")
    shared = tmp_path / "shared" / "sinorus"
    config = tmp_path / "lake.toml"
    config.write_text(
        f'[warehouse]\ncatalog = "{catalog}"\ndata_path = "{shared}/"\n', encoding="utf-8"
    )
    out = _sinorus("warehouse", "init", "--config", str(config), "--db", catalog)
    # Rich folds long lines at the width of a pipe: compare words, not line breaks.
    assert f"{SEED_ARTICLES} seed articles loaded" in " ".join(out.split())
    # The catalog is PostgreSQL's: DuckLake's own tables are in that database.
    assert int(_psql(cluster, "lake", "select count(*) from ducklake_snapshot")) >= 1
    # Inlined rows go to Parquet files in the shared folder.
    _sinorus("warehouse", "maintain", "--config", str(config), "--db", catalog)
    assert list(shared.rglob("*.parquet"))
    # Another process elsewhere (another machine sees the same catalog and folder) reads it back.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = _sinorus(
        "sql",
        "select count(*) as n, count(distinct canonical_url) as urls from articles "
        "where origin = 'seed'",
        "--config",
        str(config),
        "--format",
        "csv",
        cwd=elsewhere,
    )
    assert out.strip().splitlines()[-1] == f"{SEED_ARTICLES},{SEED_ARTICLES}"
    lake = Lake.at(catalog, shared)
    assert rows(lake, "select count(*) from stories") == [(SEED_ARTICLES,)]


def _env(api_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_API_URL=api_url,
        SINORUS_HOME=str(ROOT),  # prefect.yaml's pull step: where a worker finds the code
        # The workers' INFO lines say which run each took; an in-process CLI test may have left
        # this process's level at WARNING.
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
        PREFECT_WORKER_QUERY_SECONDS="1",  # the second worker finds the second run quickly
    )
    return env


def _prefect(args: list[str], env: dict, timeout: float = 180) -> str:
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr}"
    return done.stdout


def _stop(process: subprocess.Popen) -> None:
    """Stop a worker, then anything left of the flow processes it started (its process group)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


def _wait_for_workers(client, names: list[str], logs: list[Path]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        online = {w.name for w in client.read_workers_for_work_pool(POOL)}
        if set(names) <= online:
            return
        time.sleep(1)
    raise AssertionError(f"the workers never came online:\n{''.join(_tail(p) for p in logs)}")


def _wait_for_runs(client, ids: list[str], logs: list[Path]) -> list:
    deadline = time.monotonic() + RUN_SECONDS
    while True:
        runs = [client.read_flow_run(run_id) for run_id in ids]
        if all(run.state is not None and run.state.is_final() for run in runs):
            return runs
        if time.monotonic() > deadline:
            states = [(str(run.id), run.state_name) for run in runs]
            raise AssertionError(
                f"runs not done after {RUN_SECONDS} s: {states}\n"
                + "\n".join(_tail(p) for p in logs)
            )
        time.sleep(2)


def test_two_workers_of_a_process_pool_run_the_monitor_at_once_on_postgres(
    cluster: Cluster,
    api_url: str,
    newsroom: Newsroom,
    expected: dict,
    tmp_path: Path,
) -> None:
    from prefect.client.orchestration import get_client

    catalog = "postgres:" + cluster.create_database("pool")
    shared = tmp_path / "shared-lake"
    # Both runs share one config: the newsroom's feeds, small batches (so that the two runs'
    # commits interleave), and the `warehouse-commit` limit on. The host's pause makes each run
    # last ~30 s, so that the two overlap even when one worker is slow to start its run (one
    # took 14 s to submit it, on a loaded machine whose Prefect database was locked meanwhile).
    config = write_config(tmp_path / "pool.toml", newsroom.base_url, catalog, commit_limit=True)
    text = config.read_text(encoding="utf-8")
    text = text.replace("[warehouse]\n", f'[warehouse]\ndata_path = "{shared}/"\n', 1)
    text = text.replace(
        "[fetch]\n",
        "[fetch]\nbatch_size = 3\nper_host_delay_seconds = 1.5\nper_host_concurrency = 8\n",
        1,
    )
    # Two workers and their runs start at once on a small machine: no feed may miss a 5 s timeout.
    text = text.replace("timeout_seconds = 5.0\n", "timeout_seconds = 30.0\n", 1)
    config.write_text(text, encoding="utf-8")

    env = _env(api_url)
    _prefect(["work-pool", "create", POOL, "--type", "process", "--overwrite"], env)
    # Deployed without SINORUS_HOME: each worker's own names the code's directory at run time.
    deploy_env = {k: v for k, v in env.items() if k != "SINORUS_HOME"}
    deployed = _prefect(["deploy", "--all", "--prefect-file", "prefect.yaml"], deploy_env, 300)
    workers: list[subprocess.Popen] = []
    names = ["pg-worker-1", "pg-worker-2"]
    logs = [tmp_path / f"{name}.log" for name in names]
    try:
        with get_client(sync_client=True) as client:
            for name in DEPLOYMENTS:
                deployment = client.read_deployment_by_name(name)
                assert deployment.work_pool_name == POOL, deployed
                # Not the deploying machine's path: the worker's SINORUS_HOME, read at run time.
                assert deployment.pull_steps == [PULL_STEP], deployment.pull_steps
            # Not tonight's upkeep of the default lake in the middle of a test run.
            client.pause_deployment(client.read_deployment_by_name("maintenance/pool").id)

            for name, log in zip(names, logs, strict=True):
                workers.append(
                    subprocess.Popen(
                        [PREFECT, "worker", "start", "--pool", POOL, "--name", name]
                        + ["--limit", "1"],  # one run at a time: the other is the other's
                        cwd=tmp_path,  # the pull step, not the worker's directory, finds the code
                        env=env,
                        stdout=log.open("w"),
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            _wait_for_workers(client, names, logs)

            # Two runs of the deployment at once, as `prefect deployment run` starts them.
            triggers = [
                subprocess.Popen(
                    [PREFECT, "--no-prompt", "deployment", "run", DEPLOYMENTS[0]]
                    + ["-p", f"config_path={config}", "-p", f"db_path={catalog}"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [trigger.communicate(timeout=180)[0] for trigger in triggers]
            ids = []
            for trigger, output in zip(triggers, outputs, strict=True):
                assert trigger.returncode == 0, output
                found = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
                assert found, output
                ids.append(found.group(1))

            runs = _wait_for_runs(client, ids, logs)
    finally:
        for worker in workers:
            _stop(worker)

    worker_logs = [p.read_text(encoding="utf-8", errors="replace") for p in logs]
    assert [run.state_name for run in runs] == ["Completed", "Completed"], "\n".join(
        log[-3000:] for log in worker_logs
    )
    # Each worker ran one of the two: the run it submitted to its infrastructure is named in its
    # log (a worker that lost the race for a run says "Aborted submission" instead).
    ran = [
        {run.name for run in runs if f"Flow run '{run.name}' submitted to infrastructure" in log}
        for log in worker_logs
    ]
    assert sorted(len(taken) for taken in ran) == [1, 1] and ran[0] != ran[1], ran
    # ... and at the same time.
    first, second = sorted(runs, key=lambda run: run.start_time)
    assert second.start_time < first.end_time, (first.start_time, first.end_time, second.start_time)
    print(
        f"\nworkers: {dict(zip(names, ran, strict=True))}; runs from {first.start_time:%H:%M:%S} "
        f"to {first.end_time:%H:%M:%S} and from {second.start_time:%H:%M:%S} "
        f"to {second.end_time:%H:%M:%S}"
    )

    lake = Lake.at(catalog, shared)
    # Which run wrote each snapshot, in order: the two runs' commits interleave.
    letters = {run.id.hex: "AB"[i] for i, run in enumerate(runs)}
    history = [
        f"{letters.get(s['info'].get('run_id'), '-')}:{s['message']}" for s in snapshots(lake)
    ]
    print(f"commits: {' '.join(history)}")
    stored = {
        f"{newsroom.base_url}{p['path']}" for p in expected["page"] if p["expect"] == "stored"
    }
    # The runs' rows: both completed, each read every feed once, together stored each page once.
    run_ids = sorted(run.id.hex for run in runs)
    done = rows(lake, "select * from runs order by run_id")
    columns = [c[0] for c in rows(lake, "describe runs")]
    done = [dict(zip(columns, row, strict=True)) for row in done]
    entries = sum(f["entries"] for f in expected["feed"])
    why = f"{done}\n" + "\n".join(log[-6000:] for log in worker_logs)
    assert [(r["run_id"], r["status"], r["entries_seen"]) for r in done] == [
        (i, "completed", entries) for i in run_ids
    ], why
    feeds_ok = sum(f["expect"] == "ok" for f in expected["feed"])
    assert all(r["feeds_ok"] == feeds_ok for r in done), why
    assert sum(r["stored"] for r in done) == len(stored), why
    assert {
        r[0] for r in rows(lake, "select canonical_url from stories where origin = 'monitor'")
    } == stored
    assert rows(lake, "select count(*) from feeds") == [(len(NEWSROOM_FEEDS),)]
    # Every page a feed links to is in the lake once: stored, a duplicate or off-topic.
    for page in expected["page"]:
        url = f"{newsroom.base_url}{page['path']}"
        count = rows(lake, "select count(*) from articles where canonical_url = ?", [url])
        assert count == [(0 if page["expect"] == "dead" else 1,)], page["path"]
    concurrency.assert_invariants(lake)
    # The runs' batches queued for the `warehouse-commit` limit (limit 1): no slot is left held.
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("warehouse-commit")
    assert limit.limit == 1 and limit.active_slots == 0
    # Parquet files in the shared folder, the catalog in PostgreSQL.
    assert list(shared.rglob("*.parquet"))
    assert int(_psql(cluster, "pool", "select count(*) from ducklake_snapshot")) > 2
