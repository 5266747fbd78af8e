"""`sinorus serve`: a real Prefect server as a child process, and scheduled runs that really happen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from devtools.newsroom_server import Newsroom
from sinorus.server import free_port
from tests.conftest import rows, write_config
from warehouse.db import WarehouseMissing

ROOT = Path(__file__).resolve().parent.parent


def _completed_runs(db: Path, flow: str = "monitor") -> int:
    if not db.exists():
        return 0
    # A reader never waits for the writer: the lake answers from its latest snapshot.
    query = "select count(*) from runs where status = 'completed' and flow = ?"
    try:
        return rows(db, query, [flow])[0][0]
    except WarehouseMissing:  # the catalog file is there, the first run is still making the lake
        return 0


def _wait_for(condition, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(2)


def test_serve_runs_the_monitor_on_schedule_and_stops_cleanly(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    db = tmp_path / "served.sqlite"
    config = write_config(
        tmp_path / "serve.toml", newsroom.base_url, db, extra="[schedule]\ninterval_seconds = 5\n"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # a fresh server database
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sinorus.cli",
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(lambda: _completed_runs(db) >= 2, process, 240)
        assert process.poll() is None, process.stdout.read()
        assert _completed_runs(db) >= 2
        # The backfill is served beside it, unscheduled, with typed parameters from the CLI.
        api = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        started = subprocess.run(
            [
                sys.executable,
                "-m",
                "prefect",
                "deployment",
                "run",
                "backfill/manual",
                "-p",
                "since=2023-03-01",
                "-p",
                "until=2023-03-31",
            ],
            cwd=ROOT,
            env=api,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stdout + started.stderr
        _wait_for(lambda: _completed_runs(db, "backfill") >= 1, process, 180)
        assert _completed_runs(db, "backfill") == 1
        # The lake's upkeep is served too: started by hand, it completes (and says so).
        upkeep = subprocess.run(
            [
                sys.executable,
                "-m",
                "prefect",
                "deployment",
                "run",
                "maintenance/nightly",
                "--watch",
                "--watch-timeout",
                "180",
            ],
            cwd=ROOT,
            env=api,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert upkeep.returncode == 0, upkeep.stdout + upkeep.stderr
        assert "Completed" in upkeep.stdout, upkeep.stdout
        process.send_signal(signal.SIGINT)
        # Usually ~2.5 s. The bound covers the worst case: a monitor run in flight (Prefect's
        # runner gives it 30 s to stop), the server's own stop (20 s), and a call to a stalled
        # server meanwhile (Prefect's 60 s request timeout: seen once on a loaded machine).
        output, _ = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    # the Prefect server it started is gone too
    try:
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
        server_gone = False
    except httpx.TransportError:
        server_gone = True
    assert server_gone
