"""The monitor and the analysts at the same time, and writers that run at once.

Every process here is real: `sinorus run` and `sinorus backfill` as subprocesses (sharing the
session's Prefect server), an analyst's DuckDB session holding the lake open in another one.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import load_settings
from devtools.newsroom_server import Newsroom
from tasks.clock import ManualClock
from tasks.dedup import fingerprint
from tests.conftest import NEWSROOM_FEEDS, rows, write_config
from warehouse import Lake, reader, run_checks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    """The session's Prefect server, for subprocesses to share (no server of their own)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _env(api_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_API_URL"] = api_url
    return env


def _config(tmp: Path, base: str, db: Path, name: str, commit_limit: bool = False) -> Path:
    # Small batches, no politeness delay: many commits, interleaved with the other process's.
    # (write_config's [fetch] table already allows the loopback newsroom.)
    path = write_config(tmp / name, base, db, commit_limit=commit_limit)
    text = path.read_text(encoding="utf-8").replace(
        "[fetch]\n",
        "[fetch]\nbatch_size = 2\nper_host_delay_seconds = 0.0\nper_host_concurrency = 8\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    return path


def _start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sinorus.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, timeout: float = 300) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out)


def _init(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sinorus.cli", "warehouse", "init", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def assert_invariants(db: Lake | Path) -> None:
    """Every check of warehouse/checks/ passes (no URL twice, every batch whole, every value known,
    every row's article there), and no two stories are near-copies of each other."""
    lake = db if isinstance(db, Lake) else Lake.at(str(db))
    with reader(lake) as con:
        failed = [result.as_dict() for result in run_checks(con) if not result.passed]
    assert failed == []
    # No two stories are near-copies (the pipeline's MinHash comparison, pairwise): the checks
    # hold only their exact copies apart (unique_story_texts), SQL has no MinHash.
    dedup = load_settings().dedup
    stories = rows(lake, "select canonical_url, title, text from stories")
    prints = [(url, fingerprint(text, title, None, None, dedup)) for url, title, text in stories]
    for i, (url_a, a) in enumerate(prints):
        for url_b, b in prints[i + 1 :]:
            assert a.minhash.jaccard(b.minhash) < dedup.threshold, (url_a, url_b)


def test_an_analyst_holding_the_lake_open_never_blocks_a_run(
    api_url: str, newsroom: Newsroom, expected: dict, tmp_path: Path
) -> None:
    db = tmp_path / "w.sqlite"
    config = _config(tmp_path, newsroom.base_url, db, "run.toml")
    _init(db)
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    analyst = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "analyst.py"), str(db), str(stop), str(ready)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Attached and reading before the run starts.
        deadline = time.monotonic() + 60
        while not ready.exists() and analyst.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the analyst never read the lake"
        run = _start(["run", "--config", str(config), "--json"], _env(api_url))
        answers = []
        while run.poll() is None:  # `sinorus sql` while the run writes: it answers
            sql = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sinorus.cli",
                    "sql",
                    "select count(*) from articles",
                    "--db",
                    str(db),
                    "--format",
                    "csv",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert sql.returncode == 0, sql.stderr
            answers.append(int(sql.stdout.splitlines()[-1]))
        summary = _finish(run)
    finally:
        stop.touch()
        seen = json.loads(analyst.communicate(timeout=60)[0])
    stored = [p for p in expected["page"] if p["expect"] == "stored"]
    assert summary["status"] == "completed" and summary["stored"] == len(stored)
    assert rows(db, "select status from runs") == [("completed",)]
    assert answers and answers[0] >= 5 and answers == sorted(answers)
    print(f"\nanalyst: {seen}")
    assert seen["failed"] == 0, seen["errors"]
    assert seen["reads"] >= 10
    assert seen["first_count"] == 5 and seen["last_count"] == 5 + len(stored)
    assert_invariants(db)


def test_two_monitor_runs_over_the_same_feeds_at_once_store_everything_once(
    api_url: str, newsroom: Newsroom, expected: dict, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    db = tmp_path / "w.sqlite"
    # The commit limit on: both runs queue for `warehouse-commit` on the shared server too.
    configs = [
        _config(tmp_path, newsroom.base_url, db, f"run{i}.toml", commit_limit=True) for i in (1, 2)
    ]
    runs = [_start(["run", "--config", str(c), "--json"], _env(api_url)) for c in configs]
    summaries = [_finish(run) for run in runs]
    stored = [p for p in expected["page"] if p["expect"] == "stored"]
    assert all(s["status"] == "completed" for s in summaries)
    # Each page stored by one run only; the other fetched it too, or saw it stored meanwhile.
    assert sum(s["stored"] for s in summaries) == len(stored)
    assert rows(db, "select count(*) from stories where origin = 'monitor'") == [(len(stored),)]
    assert rows(db, "select count(*) from runs where status = 'completed'") == [(2,)]
    assert rows(db, "select count(*) from feeds") == [(len(NEWSROOM_FEEDS),)]
    assert_invariants(db)
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("warehouse-commit")
    assert limit.limit == 1 and limit.active_slots == 0


def test_a_monitor_and_a_backfill_over_the_same_urls_at_once(
    api_url: str, newsroom: Newsroom, expected: dict, tmp_path: Path
) -> None:
    db = tmp_path / "w.sqlite"
    monitor = _config(tmp_path, newsroom.base_url, db, "monitor.toml")
    backfill = _config(tmp_path, newsroom.base_url, db, "backfill.toml")
    # The backfill is given every page the monitor's feeds list, over a window that holds them
    # all: the two race for the same URLs.
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "\n".join(f"{newsroom.base_url}{page['path']}" for page in expected["page"]),
        encoding="utf-8",
    )
    env = _env(api_url)
    both = [
        _start(["run", "--config", str(monitor), "--json"], env),
        _start(
            [
                "backfill",
                "--since",
                "2000-01-01",
                "--until",
                "2030-12-31",
                "--source",
                "urls",
                "--urls",
                str(urls),
                "--config",
                str(backfill),
                "--json",
            ],
            env,
        ),
    ]
    run, filled = (_finish(p) for p in both)
    assert run["status"] == filled["status"] == "completed"
    stored = [p for p in expected["page"] if p["expect"] == "stored"]
    # Each stored page once, by whichever got there first; the other saw it stored already.
    assert run["stored"] + filled["stored"] == len(stored)
    assert rows(db, "select count(*) from stories where origin <> 'seed'") == [(len(stored),)]
    assert rows(db, "select count(*) from backfill_queue where status = 'pending'") == [(0,)]
    assert_invariants(db)


def test_a_commit_slot_a_dead_holder_keeps_is_waited_for_then_done_without(api_url: str) -> None:
    """The session's server is ephemeral: it never revokes a lapsed lease, as a dead worker's."""
    from prefect.client.orchestration import get_client

    from tasks.commit import COMMIT_LIMIT, _held_slot, ensure_commit_limit

    with get_client(sync_client=True) as client:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PREFECT_API_URL", api_url)
            ensure_commit_limit()
        with _held_slot():  # free: taken, then given back
            assert client.read_global_concurrency_limit_by_name(COMMIT_LIMIT).active_slots == 1
        assert client.read_global_concurrency_limit_by_name(COMMIT_LIMIT).active_slots == 0
        dead = client.increment_concurrency_slots_with_lease(
            names=[COMMIT_LIMIT], slots=1, mode="concurrency", lease_duration=60
        ).json()["lease_id"]
        try:
            clock = ManualClock()  # each refusal's wait advances it: no time really passes
            # Prefect's logging set-up keeps pytest's caplog from seeing it: a handler of our own.
            warnings = _Records()
            logging.getLogger("sinorus.commit").addHandler(warnings)
            try:
                with _held_slot(wait_seconds=2, clock=clock):
                    waited = clock.monotonic()
            finally:
                logging.getLogger("sinorus.commit").removeHandler(warnings)
            assert 2 < waited <= 2.5  # asked again at most every 0.5 s until 2 s had passed
            assert any("under the catalog lock alone" in m for m in warnings.messages)
            # The dead holder's slot is the only one taken: none leaked by the bypass.
            assert client.read_global_concurrency_limit_by_name(COMMIT_LIMIT).active_slots == 1
        finally:
            client.release_concurrency_slots_with_lease(dead)
        assert client.read_global_concurrency_limit_by_name(COMMIT_LIMIT).active_slots == 0


class _Records(logging.Handler):
    """Keeps the messages logged to it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _BusyApi:
    """The two lease endpoints of a Prefect API on 127.0.0.1, answering 503 (a server whose
    SQLite database is busy) to the first `busy` calls of each, then as Prefect does."""

    def __init__(self, busy: int) -> None:
        import threading
        import uuid
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.calls: list[tuple[str, int]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # the CSRF token: "none here", as an older server says
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen = sum(1 for path, _ in outer.calls if path == self.path)
                status = 503 if seen < busy else 200
                outer.calls.append((self.path, status))
                body = b"{}"
                if status == 200 and self.path.endswith("increment-with-lease"):
                    body = json.dumps({"lease_id": str(uuid.uuid4()), "limits": []}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_busy_server_is_asked_again_soon_not_after_the_clients_backoff() -> None:
    """A 503 on taking or giving back the slot is asked again by the commit's own loop: Prefect's
    client, whose retry waits 2 s and more, is never the one retrying (its debug log says so)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tasks.commit import _held_slot

    api = _BusyApi(busy=3)
    retries = _Records()
    retries.setLevel(logging.DEBUG)
    client_log = logging.getLogger("prefect.client")
    level = client_log.level
    client_log.setLevel(logging.DEBUG)
    client_log.addHandler(retries)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api.url}), _held_slot():
            taken = list(api.calls)
    finally:
        client_log.removeHandler(retries)
        client_log.setLevel(level)
        api.server.shutdown()
    take, give = (
        "/api/v2/concurrency_limits/increment-with-lease",
        "/api/v2/concurrency_limits/decrement-with-lease",
    )
    assert taken == [(take, 503)] * 3 + [(take, 200)]
    assert api.calls[4:] == [(give, 503)] * 3 + [(give, 200)]
    assert not [m for m in retries.messages if "retryable" in m]


def test_a_slot_is_given_back_to_a_server_busy_for_many_seconds() -> None:
    """A server answering 503 to 25 give-backs in a row (~20 s of asking, more than the old
    2 s) still gets its slot back: an ephemeral server never revokes a lease, and a slot kept
    would hold every other writer at each of its commits for WAIT_SECONDS."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tasks.commit import RELEASE_SECONDS, _held_slot

    api = _BusyApi(busy=25)
    clock = ManualClock()  # each pause advances it: no time really passes
    try:
        with temporary_settings(updates={PREFECT_API_URL: api.url}), _held_slot(clock=clock):
            after_take = clock.monotonic()
    finally:
        api.server.shutdown()
    give = "/api/v2/concurrency_limits/decrement-with-lease"
    gives = [status for path, status in api.calls if path == give]
    assert gives == [503] * 25 + [200]
    assert clock.monotonic() - after_take <= RELEASE_SECONDS
