"""Prefect servers that sinorus starts itself, and that never outlive it.

`sinorus serve` needs a real server (the temporary one runs no schedules): `prefect server start`.
A run (`run`, `demo`, `backfill`, `replay`) without PREFECT_API_URL needs a temporary one, as
Prefect would start by itself — but started here, so that it dies with the command: Prefect's
own temporary server survived a `kill -9` of its parent in 43 of 50 trials. Each child gets the
parent-death signal (Linux), and a clean exit stops it too. With PREFECT_API_URL set, both use
that server instead and start nothing (the fixed cost of a run then drops from ~15 s to ~3 s).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from config.runtime import apply_prefect_defaults

SERVER_START_TIMEOUT = 180.0


def die_with_parent() -> None:
    """In a child about to run: have the kernel send it SIGTERM when its parent dies (Linux).

    SIGTERM, not SIGKILL: a server stops its own children cleanly on it.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the signal was set
            os._exit(1)


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
        preexec_fn=die_with_parent,
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


def configured_api_url() -> str | None:
    """Return the Prefect API this process is set to use, if any (environment, or settings once
    Prefect is imported: a test harness sets it there)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect" in sys.modules:
        from prefect.settings import get_current_settings

        return get_current_settings().api.url
    return None


@contextmanager
def temporary_server() -> Iterator[str]:
    """Yield the API URL for a run: the configured one, or a temporary server that dies with us."""
    apply_prefect_defaults()
    configured = configured_api_url()
    if configured:
        yield configured
        return
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    spec = importlib.util.find_spec("prefect")
    app_dir = str(Path(next(iter(spec.submodule_search_locations))).parent)
    # What Prefect runs for its own temporary server (prefect.server.api.server), minus the UI.
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        app_dir,
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, env=env, preexec_fn=die_with_parent
    )
    try:
        wait_healthy(api_url, process, SERVER_START_TIMEOUT)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
