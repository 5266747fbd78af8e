"""A backfill shared by many workers, and a monitor split into shards.

Leases on the queue (tasks/backfill/lease.py) are checked on a SQLite lake directly. The monitor's
shards are checked in-process: they partition the feeds, and two shard runs read every feed once.
The pooled backfill is the real thing: a throwaway PostgreSQL catalog (devtools/pg_cluster.py), the
deployments of prefect.yaml on a process work pool, two `prefect worker` processes, and
`sinorus backfill --workers 2` over 1,000 URLs of a local server that logs every request; one
worker's flow process is killed with SIGKILL mid-way. It has a real Prefect server of its own
(`prefect server start`, its database on that PostgreSQL cluster), not the suite's temporary one.

What "exactly once" means under that kill: every URL is requested once, except those the killed
worker held (claimed, not committed: the batches in its pipeline, fetched, being extracted, judged
or committed). Those may have been requested by it before it died, and are requested again by the
survivor once the lease runs out: at most twice, the first request before the kill, the second
after it, and the survivor records them. Every page lands in the warehouse once whatever was
fetched twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from config import DEFAULT_CONFIG, load_settings
from devtools.newsroom_server import Newsroom
from devtools.pg_cluster import Cluster, postgres_cluster, prefect_server_on
from tasks.backfill.lease import claim, leases, load_job, renewing, reopen
from tasks.backfill.queue import load_backfill_batch, open_job, save_discovery
from tasks.backfill.sources.urls import discover
from tasks.backfill.window import make_job
from tasks.clock import ManualClock
from tasks.commit import COMMIT_LIMIT
from tasks.location import lake_of
from tasks.pipeline import DEPTH
from tasks.sharing import shard_feeds
from tests.conftest import NEWSROOM_FEEDS, rows, write_config
from tests.test_postgres import POOL, PREFECT, _env, _prefect, _stop, _tail, _wait_for_workers
from warehouse import Lake
from warehouse.db import release_all

ROOT = Path(__file__).resolve().parent.parent
URLS = 1000
BATCH = 50
DELAY = 0.05  # seconds between two requests to the host, across both workers: 20 requests/s
LEASE = 30.0  # well above the gaps between claims, which renew it (<15 s seen while both run)
KILL_SECONDS = 400  # until both workers run and the victim has committed two batches
IN_FLIGHT_SECONDS = 2.0  # a request sent before the kill, logged after it on a busy machine
IN_FLIGHT = 4 + 3 * DEPTH  # batches a worker's pipeline holds at most: 3 stages, 3 links, a commit
# Then until the backfill is done: 2-3.5 min seen on a busy 2-core machine (the survivor alone at
# half the pace; ~75 s more when the victim died holding the `warehouse-commit` slot).
RUN_SECONDS = 600
WORDS = [
    "harbour",
    "railway",
    "grain",
    "treaty",
    "summit",
    "pipeline",
    "border",
    "tariff",
    "delegation",
    "festival",
    "orchestra",
    "glacier",
    "museum",
    "bridge",
    "harvest",
    "satellite",
    "ferry",
    "library",
    "stadium",
    "vineyard",
    "monsoon",
    "archive",
    "cathedral",
    "bazaar",
    "caravan",
    "lighthouse",
    "observatory",
    "canal",
    "meadow",
    "quarry",
    "workshop",
    "foundry",
]


def _page(i: int) -> bytes:
    rng = random.Random(i)
    paragraphs = "".join(
        f"<p>{' '.join(rng.choice(WORDS) for _ in range(40))} number {i} part {k}.</p>"
        for k in range(4)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Local report {i}</title>"
        f"<meta property='article:published_time' content='2023-03-{1 + i % 28:02d}T08:00:00Z'>"
        f"</head><body><article><h1>Local report {i}</h1>{paragraphs}</article></body></html>"
    ).encode()


class PageServer:
    """Pages /p/<i>.html on 127.0.0.1, every request logged as (monotonic time, path)."""

    def __init__(self, count: int) -> None:
        self.pages = {f"/p/{i}.html": _page(i) for i in range(count)}
        self.log: list[tuple[float, str]] = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with lock:
                    outer.log.append((time.monotonic(), self.path))
                body = outer.pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_file(self, path: Path) -> Path:
        """Write the pages' URLs with their dates as a CSV; return its path."""
        lines = ["url,published"] + [
            f"{self.base}{p},2023-03-{1 + i % 28:02d}" for i, p in enumerate(self.pages)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


# --- leases, on a SQLite lake ---------------------------------------------------------------


def _listed_job(tmp_path: Path, server: PageServer):
    """Return (settings, lake, job) for a URL-list job of the server's pages, discovered and
    loaded as a worker sees it."""
    urls = server.url_file(tmp_path / "urls.csv")
    settings = load_settings(write_config(tmp_path / "c.toml", server.base, tmp_path / "w.sqlite"))
    lake = lake_of(settings)
    job = open_job(lake, make_job("urls", date(2023, 3, 1), date(2023, 3, 31), "drop", urls))
    save_discovery(lake, job, discover(settings, job).candidates, [])
    return settings, lake, load_job(lake, job.job_id)


def test_claims_are_disjoint_an_expired_lease_is_claimable_and_only_the_holder_records(
    tmp_path: Path,
) -> None:
    server = PageServer(30)
    try:
        settings, lake, job = _listed_job(tmp_path, server)
        assert reopen(lake, job) == 30

        clock = ManualClock()
        a = claim(lake, job, "worker-a", 12, 60, clock)
        b = claim(lake, job, "worker-b", 12, 60, clock)
        c = claim(lake, job, "worker-c", 12, 4, clock)
        assert [len(a), len(b), len(c)] == [12, 12, 6]
        claimed = [x.canonical_url for x in a + b + c]
        assert len(set(claimed)) == 30
        # Nothing is left to claim; c waits for a's and b's leases, the first ending in 60 s.
        assert claim(lake, job, "worker-d", 12, 60, clock) == []
        held = leases(lake, job, "worker-c", clock)
        assert held.leased == 24 and held.wait_seconds(clock.now()) == 60

        # c dies: its short lease still runs at 3.9 s; once it has run out, d takes its six URLs.
        clock.advance(3.9)
        assert claim(lake, job, "worker-d", 12, 60, clock) == []
        clock.advance(0.2)
        d = claim(lake, job, "worker-d", 12, 60, clock)
        assert {x.canonical_url for x in d} == {x.canonical_url for x in c}

        # The late c commits a batch it no longer holds: its statuses are not recorded; d's are.
        late = {x.canonical_url: ("out_of_window", "by c") for x in c}
        load_backfill_batch(
            lake, job, [], late, [], "run-c", settings.fetch, settings.dedup, "worker-c"
        )
        assert rows(lake, "select count(*) from backfill_queue where status = 'pending'") == [(30,)]
        mine = {x.canonical_url: ("out_of_window", "by d") for x in d}
        load_backfill_batch(
            lake, job, [], mine, [], "run-d", settings.fetch, settings.dedup, "worker-d"
        )
        done = rows(
            lake,
            "select reason, claimed_by, count(*) from backfill_queue "
            "where status = 'out_of_window' group by all",
        )
        assert done == [("by d", "worker-d", 6)]
        # a's and b's leases still run: e finds nothing to claim.
        assert claim(lake, job, "worker-e", 12, 60, clock) == []
    finally:
        server.server.shutdown()


def test_a_live_worker_keeps_its_leases_while_it_waits(tmp_path: Path) -> None:
    """A worker that makes no claim for longer than its lease (waiting on the commit slot, say)
    keeps its batch: the heartbeat renews it, and another worker finds nothing to take."""
    server = PageServer(10)
    try:
        _, lake, job = _listed_job(tmp_path, server)
        reopen(lake, job)

        lease, clock = 3.0, ManualClock()
        with renewing(lake, job, "worker-a", lease, clock):
            held = {x.canonical_url for x in claim(lake, job, "worker-a", 6, lease, clock)}
            assert len(claim(lake, job, "worker-b", 10, 60, clock)) == 4
            for _ in range(8):  # 2.5 leases without a claim from a: a beat each third of one
                clock.advance(lease / 3)
                assert claim(lake, job, "worker-c", 10, 60, clock) == []
            assert leases(lake, job, "worker-c", clock).leased == 10
        # Once the heartbeat stops, the same wait loses the batch.
        clock.advance(lease / 3)
        assert claim(lake, job, "worker-d", 10, 60, clock) == []  # the last beat still holds
        clock.advance(lease)
        assert {x.canonical_url for x in claim(lake, job, "worker-d", 10, 60, clock)} == held
    finally:
        server.server.shutdown()


# --- the monitor's shards ---------------------------------------------------------------------


def test_shards_partition_the_feeds() -> None:
    feeds = load_settings(DEFAULT_CONFIG).feeds
    for shards in (1, 2, 3, 7):
        parts = [shard_feeds(feeds, i, shards) for i in range(shards)]
        names = [f.name for part in parts for f in part]
        assert sorted(names) == sorted(f.name for f in feeds), shards
        assert len(names) == len(set(names)), shards
        # The same split every time, on any machine (a hash of the name, not Python's hash()).
        assert parts == [shard_feeds(feeds, i, shards) for i in range(shards)]
    with pytest.raises(ValueError):
        shard_feeds(feeds, 2, 2)


def test_two_shard_runs_read_every_feed_once(prefect_harness, tmp_path: Path, expected) -> None:
    from flows.monitor import monitor

    with Newsroom(port=0) as newsroom:
        config = write_config(
            tmp_path / "shards.toml",
            newsroom.base_url,
            tmp_path / "w.sqlite",
            extra="[monitor]\nshards = 2\n",
        )
        summaries = [monitor(str(config), None, False, shard) for shard in (0, 1)]
        feed_requests = Counter(r for r in newsroom.requests if r.startswith("/feeds/"))
    assert feed_requests == Counter({f"/feeds/{name}": 1 for name in NEWSROOM_FEEDS})
    read = [s["feeds_ok"] + s["feeds_failed"] for s in summaries]
    assert sum(read) == len(NEWSROOM_FEEDS), summaries
    assert sum(s["entries_seen"] for s in summaries) == sum(f["entries"] for f in expected["feed"])
    lake = Lake.at(str(tmp_path / "w.sqlite"))
    assert rows(lake, "select count(*) from feeds") == [(len(NEWSROOM_FEEDS),)]
    # Each shard is a run of its own; one whose feeds all failed (the newsroom's broken feed
    # alone) says so, like any monitor run.
    statuses = dict(rows(lake, "select run_id, status from runs where flow = 'monitor'"))
    assert {s["run_id"]: s["status"] for s in summaries} == statuses
    for s in summaries:
        everything_failed = s["feeds_ok"] == 0 and s["feeds_failed"] > 0
        assert s["status"] == ("failed" if everything_failed else "completed"), s


# --- the pooled backfill on PostgreSQL ----------------------------------------------------------


@dataclass(frozen=True)
class PrefectApi:
    """A Prefect server of this module's own, on the module's PostgreSQL cluster."""

    url: str
    log: Path


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this module's own, stopped and removed after it."""
    with postgres_cluster() as running:
        try:
            yield running
        finally:
            release_all()  # this process attached a lake on it


@pytest.fixture(scope="module")
def prefect_api(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectApi]:
    """A Prefect server backed by the cluster, for the workers, their runs and the CLI.

    Not the suite's temporary one (prefect_test_harness): that runs none of Prefect's services,
    the repossessor among them, so the `warehouse-commit` slot of a worker killed inside a commit
    was never given back and the survivor waited for ever (issue 11: 2 of 4 runs). Here the slot
    is revoked once its lease lapses (~75 s).
    """
    home = tmp_path_factory.mktemp("prefect-server")
    with prefect_server_on(cluster, "prefect", home) as url:
        yield PrefectApi(url, home / "prefect-server.log")


def _backfill_runs(lake: Lake) -> list[tuple]:
    try:
        return rows(
            lake,
            "select run_id, pid, status from runs where flow = 'backfill' order by started_at",
        )
    except Exception:  # the lake is being created
        return []


def _evidence(lake: Lake, api: PrefectApi, logs: list[Path]) -> str:
    """Return what a pooled backfill that did not finish looks like: the flow runs' states, the
    runs' rows, the queue's leases, the workers' and the server's logs."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    lines = []
    try:
        with temporary_settings({PREFECT_API_URL: api.url}), get_client(sync_client=True) as client:
            for run in client.read_flow_runs():
                lines.append(
                    f"flow run {run.name} {run.id} deployment={run.deployment_id} "
                    f"state={run.state_name} since {run.state and run.state.timestamp}"
                )
            for worker in client.read_workers_for_work_pool(POOL):
                lines.append(f"worker {worker.name} {worker.status} {worker.last_heartbeat_time}")
            # A flow process killed inside a commit holds this slot until its lease is revoked.
            limit = client.read_global_concurrency_limit_by_name(COMMIT_LIMIT)
            lines.append(f"{COMMIT_LIMIT}: {limit.active_slots}/{limit.limit} slots taken")
    except Exception as exc:  # the evidence must not hide the failure
        lines.append(f"flow runs unreadable: {exc!r}")
    lines.append(f"runs: {_backfill_runs(lake)}")
    try:
        held = rows(
            lake,
            "select claimed_by, status, count(*), min(lease_until), max(lease_until) "
            "from backfill_queue group by all order by all",
        )
        lines.append(f"queue (claimed_by, status, n, lease from, lease to): {held}")
    except Exception as exc:
        lines.append(f"queue unreadable: {exc!r}")
    lines += [f"--- {p.name}:\n{_tail(p, 6000)}" for p in logs]
    lines.append(f"--- Prefect server:\n{_tail(api.log)}")
    return "\n".join(lines)


def test_two_workers_share_a_backfill_and_a_killed_one_loses_nothing(
    cluster: Cluster, prefect_api: PrefectApi, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = PageServer(URLS)
    catalog = "postgres:" + cluster.create_database("backfill_pool")
    shared = tmp_path / "shared-lake"
    urls = server.url_file(tmp_path / "urls.csv")
    config = write_config(tmp_path / "pool.toml", server.base, catalog, commit_limit=True)
    text = config.read_text(encoding="utf-8")
    text = text.replace("[warehouse]\n", f'[warehouse]\ndata_path = "{shared}/"\n', 1)
    text = text.replace("timeout_seconds = 5.0\n", "timeout_seconds = 30.0\n", 1)
    text = text.replace(
        "[fetch]\n",
        f"[fetch]\nbatch_size = {BATCH}\nper_host_delay_seconds = {DELAY}\n"
        "per_host_concurrency = 4\n",
        1,
    )
    config.write_text(text + f"\n[backfill]\nlease_seconds = {LEASE}\n", encoding="utf-8")
    lake = Lake.at(catalog, shared)

    env = _env(prefect_api.url)
    _prefect(["work-pool", "create", POOL, "--type", "process", "--overwrite"], env)
    deploy_env = {k: v for k, v in env.items() if k != "SINORUS_HOME"}
    _prefect(["deploy", "--all", "--prefect-file", "prefect.yaml"], deploy_env, 300)
    names = ["bf-worker-1", "bf-worker-2"]
    logs = [tmp_path / f"{name}.log" for name in names]
    workers: list[subprocess.Popen] = []
    coordinator = None
    killed: tuple[str, int] | None = None
    stalled = ""
    try:
        with (
            temporary_settings({PREFECT_API_URL: prefect_api.url}),
            get_client(sync_client=True) as client,
        ):
            client.pause_deployment(client.read_deployment_by_name("maintenance/pool").id)
            for name, log in zip(names, logs, strict=True):
                workers.append(
                    subprocess.Popen(
                        [PREFECT, "worker", "start", "--pool", POOL, "--name", name]
                        + ["--limit", "1"],
                        cwd=tmp_path,
                        env=env,
                        stdout=log.open("w"),
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            _wait_for_workers(client, names, logs)

        started = time.monotonic()
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "sinorus.cli", "backfill", "--since", "2023-03-01"]
            + ["--until", "2023-03-31", "--source", "urls", "--urls", str(urls)]
            + ["--workers", "2", "--config", str(config), "--db", catalog, "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Both workers at work, the victim with two batches committed: kill its flow process.
        deadline = time.monotonic() + KILL_SECONDS
        while killed is None and time.monotonic() < deadline and coordinator.poll() is None:
            running = [r for r in _backfill_runs(lake) if r[2] == "running"]
            if len(running) == 2:
                victim, pid, _ = running[-1]
                done = rows(
                    lake,
                    "select count(*) from backfill_queue where claimed_by = ? and status <> 'pending'",
                    [victim],
                )[0][0]
                if done >= 2 * BATCH:
                    os.kill(pid, signal.SIGKILL)
                    killed = (victim, pid)
                    kill_time = time.monotonic()
                    # What it held when it died: the survivor's once their lease runs out.
                    held = {
                        url.removeprefix(server.base)
                        for (url,) in rows(
                            lake,
                            "select canonical_url from backfill_queue "
                            "where claimed_by = ? and status = 'pending'",
                            [victim],
                        )
                    }
            time.sleep(0.5)
        try:
            out, err = coordinator.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            # Stalled: what each part was doing, before anything is stopped.
            stalled = _evidence(lake, prefect_api, logs)
            coordinator.kill()
            out, err = coordinator.communicate()
        wall = time.monotonic() - started
    finally:
        if coordinator is not None and coordinator.poll() is None:
            coordinator.kill()
        for worker in workers:
            _stop(worker)
        server.server.shutdown()
    why = f"{err[-3000:]}\n" + "\n".join(_tail(p) for p in logs)
    assert not stalled, f"the backfill did not finish in {RUN_SECONDS} s:\n{err[-3000:]}\n{stalled}"
    assert killed is not None, f"no worker to kill: {_backfill_runs(lake)}\n{why}"
    summary = json.loads(out)
    states = sorted(w["state"] for w in summary["workers"])
    assert states == ["Completed", "Crashed"], why
    assert summary["status"] == "completed", why

    # Every page landed once; nothing is left pending.
    canon = {f"{server.base}{p}" for p in server.pages}
    landed = dict(
        rows(
            lake,
            "select canonical_url, count(*) from articles where origin <> 'seed' group by all",
        )
    )
    assert set(landed) == canon and set(landed.values()) == {1}
    assert rows(lake, "select count(*) from backfill_queue where status = 'pending'") == [(0,)]

    # Every URL requested once, but for those the killed worker held: twice at most, once before
    # the kill and once after, recorded by the survivor. It held no more than its pipeline does
    # (tasks/pipeline.py: a batch in each stage, DEPTH between two, one committing): one to three
    # batches seen, three while the first extractions wait for the process pool to start.
    requests = Counter(path for _, path in server.log)
    assert set(requests) == set(server.pages)
    twice = {p for p, n in requests.items() if n == 2}
    assert max(requests.values()) <= 2, requests.most_common(3)
    assert twice <= held, sorted(twice - held)[:5]
    assert len(held) <= IN_FLIGHT * BATCH, len(held)
    survivor = {r[0] for r in _backfill_runs(lake)} - {killed[0]}
    holders = dict(rows(lake, "select canonical_url, claimed_by from backfill_queue"))
    for path in twice:
        times = sorted(t for t, p in server.log if p == path)
        # A request the victim sent as it died may be logged by the server's thread a moment
        # after the kill; the survivor's comes once the lease has run out, long after.
        assert times[0] < kill_time + IN_FLIGHT_SECONDS < times[1], path
        assert holders[f"{server.base}{path}"] in survivor, path

    # The host's rate across both workers never above 1/DELAY: at most 1 s / DELAY (+ 2 for the
    # jitter between taking a slot and the request arriving) in any second.
    times = sorted(t for t, _ in server.log)
    busiest = max(sum(1 for u in times[i : i + 200] if u < t + 1.0) for i, t in enumerate(times))
    assert busiest <= 1.0 / DELAY + 2, busiest
    print(
        f"\n{URLS} URLs, 2 workers, one killed: {wall:.0f} s; it held {len(held)}, "
        f"{len(twice)} fetched twice; "
        f"busiest second {busiest} requests (limit {1 / DELAY:.0f}); {summary['workers']}"
    )
