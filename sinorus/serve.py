"""`sinorus serve`: the monitor as a scheduled Prefect deployment, with a local server if needed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import httpx

from config.runtime import apply_prefect_defaults
from config.settings import Settings

SERVER_START_TIMEOUT = 180.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(api_url: str, process: subprocess.Popen | None, timeout: float) -> None:
    """Return once the Prefect API answers its health check; raises RuntimeError if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} was not healthy after {timeout:.0f} s")


@contextmanager
def prefect_server(port: int) -> Iterator[str]:
    """Yield the API URL of a Prefect server: the one in PREFECT_API_URL, or a local child process.

    Prefect's temporary server does not run schedules, so serving needs a real one.
    """
    apply_prefect_defaults()
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    api_url = f"http://127.0.0.1:{port}/api"
    command = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # The server's own log goes to a file: on a terminal it buries the runs' lines, and a
    # process reading ours must not wait on a pipe the server holds open.
    home = Path(os.environ["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    print(f"started a Prefect server on {api_url} (its log: {home / 'server.log'})", flush=True)
    try:
        wait_healthy(api_url, process, SERVER_START_TIMEOUT)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def serve_monitor(
    settings: Settings, config_path: str | None, db_path: str | None, port: int
) -> None:
    """Serve the monitor on its schedule until interrupted (Ctrl-C or SIGTERM)."""
    # SIGTERM (from a service manager) should stop as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with prefect_server(port) as api_url:
        # Imported only now: Prefect reads PREFECT_API_URL when it is first imported.
        from prefect import serve
        from prefect.schedules import Cron, Interval

        from flows.backfill import backfill
        from flows.maintenance import maintenance
        from flows.monitor import monitor

        schedule = (
            Interval(
                timedelta(seconds=settings.schedule.interval_seconds),
                timezone=settings.schedule.timezone,
            )
            if settings.schedule.interval_seconds
            else Cron(settings.schedule.cron, timezone=settings.schedule.timezone)
        )
        deployment = monitor.to_deployment(
            name="scheduled",
            schedule=schedule,
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,  # a slow run delays the next, never overlaps it
            description="One monitor pass over the configured feeds.",
        )
        # No schedule: started by hand, from the UI or `prefect deployment run 'backfill/manual'
        # -p since=2023-03-01 -p until=2023-03-31`; it may run beside the monitor (the lake
        # takes their commits one at a time), but one backfill at a time.
        manual = backfill.to_deployment(
            name="manual",
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,
            description="Fill a past date range: feeds, sitemaps, gdelt, urls or raw.",
        )
        nightly = maintenance.to_deployment(
            name="nightly",
            schedule=Cron(settings.warehouse.maintenance_cron, timezone=settings.schedule.timezone),
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,
            description="The lake's upkeep: merge small files, expire old snapshots.",
        )
        print(
            f"serving the monitor, the backfill and the lake's maintenance against {api_url} "
            "— Ctrl-C to stop",
            flush=True,
        )
        with suppress(KeyboardInterrupt):
            serve(deployment, manual, nightly, print_starting_message=True)
