"""A throwaway PostgreSQL cluster for the tests and the benches: Debian's `postgresql` binaries,
a temp dir, a port.

`initdb` into a fresh directory, `pg_ctl start` on a free port of 127.0.0.1 (its socket in the
same directory), and on the way out `pg_ctl stop -m immediate` and the directory removed, whatever
happened. PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` system
user (Debian's package creates it; created here only if missing), as anyone else as that user.
Where the binaries are missing, a test is skipped and anything else stops with a RuntimeError,
both naming the package (`make system-deps`).

`prefect_server_on(cluster, …)` starts a real Prefect server (its services running, unlike the
temporary one of prefect_test_harness) whose database is one of the cluster's: for a work pool's
workers, their flow runs and the CLI (tests/test_backfill_pool.py, bench/backfill.py).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

PACKAGE = "postgresql"
SERVICE_USER = "postgres"  # the cluster's owner when we are root
SUPERUSER = "postgres"  # the database role initdb creates
START_SECONDS = 60
# A test cluster: nothing to keep after a crash, so no flushing to disk.
SERVER_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def binaries() -> Path | None:
    """Return the directory of PostgreSQL's server binaries (newest Debian version), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: _version(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


@dataclass(frozen=True)
class Cluster:
    """A running PostgreSQL cluster on 127.0.0.1."""

    bindir: Path
    port: int
    directory: Path

    def conninfo(self, dbname: str) -> str:
        """Return libpq's key=value conninfo for a database of this cluster."""
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={SUPERUSER}"

    def create_database(self, dbname: str) -> str:
        """Create a database (trust authentication over TCP) and return its conninfo."""
        command = [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        _run([*command, "-U", SUPERUSER, dbname], None, self.directory)
        return self.conninfo(dbname)


def _run_as() -> str | None:
    """Return the user to run the server as (None: ourselves), creating it if we must."""
    if os.geteuid() != 0:
        return None  # PostgreSQL runs as any user but root
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/bin/false", SERVICE_USER],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


def _run(
    command: list[str], user: str | None, cwd: Path, timeout: float = START_SECONDS
) -> subprocess.CompletedProcess:
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    # cwd: a directory the server's user may enter (initdb warns otherwise).
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        )
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts_connections(bindir: Path, port: int, cwd: Path) -> bool:
    ready = bindir / "pg_isready"
    if not ready.exists():
        return True  # pg_ctl -w already waited for it
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        done = subprocess.run(
            [str(ready), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-t", "5"],
            cwd=cwd,
            capture_output=True,
        )
        if done.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def _missing(message: str) -> NoReturn:
    """Skip the calling test (under pytest), else raise RuntimeError: nothing to run on."""
    if "pytest" in sys.modules:
        import pytest

        pytest.skip(message)
    raise RuntimeError(message)


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Yield a fresh cluster; always stop it and remove its directory afterwards.

    Skips the calling test (RuntimeError outside pytest) when PostgreSQL's server binaries are
    not installed.
    """
    bindir = binaries()
    if bindir is None:
        _missing(
            f"PostgreSQL's server binaries (initdb, pg_ctl) are missing: install Debian's "
            f"`{PACKAGE}` package (`make system-deps`, as root)"
        )
    user = _run_as()
    # Not pytest's tmp_path: that is private to our user, and the server's user must enter it.
    directory = Path(tempfile.mkdtemp(prefix="sinorus-pg-"))
    data, sockets, log = directory / "data", directory / "sockets", directory / "server.log"
    sockets.mkdir()
    if user is not None:
        shutil.chown(directory, user)
        shutil.chown(sockets, user)
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    try:
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER]
            + ["-E", "UTF8", "--locale=C", "--no-sync"],
            user,
            directory,
            timeout=120,
        )
        for attempt in range(3):  # a free port may be taken before the server binds it
            port = _free_port()
            options = f"-p {port} -k {sockets} -h 127.0.0.1 " + " ".join(
                f"-c {option}" for option in SERVER_OPTIONS
            )
            try:
                _run(
                    [pg_ctl, "start", "-D", str(data), "-l", str(log), "-w"]
                    + ["-t", str(START_SECONDS), "-o", options],
                    user,
                    directory,
                    timeout=START_SECONDS + 30,
                )
                started = True
                break
            except RuntimeError:
                if attempt == 2:
                    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    raise RuntimeError(f"PostgreSQL did not start; its log ends:\n{tail}") from None
        if not _accepts_connections(bindir, port, directory):
            raise RuntimeError(f"PostgreSQL on port {port} never accepted connections")
        yield Cluster(bindir, port, directory)
    finally:
        if started or data.exists():
            with suppress(Exception):
                _run([pg_ctl, "stop", "-D", str(data), "-m", "immediate", "-w"], user, directory)
        shutil.rmtree(directory, ignore_errors=True)


# A fresh database takes Prefect's ~120 migrations first: 12-30 s on a loaded 2-core machine.
PREFECT_START_SECONDS = 300


@contextmanager
def prefect_server_on(cluster: Cluster, dbname: str, home: Path) -> Iterator[str]:
    """Yield the API URL of a `prefect server start` whose database is `dbname` (created here)
    on the cluster; its log is `home`/prefect-server.log. Stopped (its process group) after."""
    cluster.create_database(dbname)
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "PREFECT_SERVER"))
    }
    env.update(
        PREFECT_HOME=str(home),  # not the project's .prefect: nothing of this server outlives it
        PREFECT_SERVER_DATABASE_CONNECTION_URL=(
            f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{cluster.port}/{dbname}"
        ),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
    )
    log_path = home / "prefect-server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-ui"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own group: stopped with whatever it started
            preexec_fn=_die_with_parent,  # and gone with the tests even if they are killed
        )
    try:
        try:
            _wait_healthy(api_url, process, PREFECT_START_SECONDS)
        except RuntimeError as exc:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{exc}; its log ends:\n{tail}") from None
        yield api_url
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


# devtools sits below sinorus (tests/test_contract.py): sinorus/server.py's helpers of the same
# name, not imported.


def _die_with_parent() -> None:
    """In the server's process about to start: SIGTERM to it when its parent dies (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the signal was set
            os._exit(1)


def _wait_healthy(api_url: str, process: subprocess.Popen, timeout: float) -> None:
    """Return once the Prefect API answers its health check; raises RuntimeError if it never does."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} was not healthy after {timeout:.0f} s")
