"""The writers' lock that the catalog itself provides: one commit at a time, across processes.

DuckLake has no PRIMARY KEY or UNIQUE constraint, and two uncoordinated writers on a SQLite
catalog fail about one commit in four with `database is locked`. Every write therefore holds this
lock from its first read of the keys to its commit: a file lock beside a SQLite catalog (every
process on the machine), a PostgreSQL advisory lock on a PostgreSQL catalog (every machine).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import shlex
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.lake import Lake

POLL_SECONDS = 0.05


class LockTimeout(TimeoutError):
    """Another writer held the warehouse for longer than the wait allowed."""


@contextmanager
def catalog_lock(lake: Lake, timeout: float) -> Iterator[None]:
    """Hold the lake's writer lock for the block; raises LockTimeout after `timeout` seconds."""
    if lake.kind == "postgres":
        with _advisory_lock(lake, timeout):
            yield
    else:
        with _file_lock(Path(f"{lake.catalog_file}.lock"), timeout):
            yield


@contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another writer held {path} for over {timeout:.0f} s"
                    ) from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def conninfo_kwargs(conninfo: str) -> dict[str, str | int]:
    """Return asyncpg's connect() arguments for a libpq key=value conninfo."""
    names = {"dbname": "database", "user": "user", "password": "password", "host": "host"}
    kwargs: dict[str, str | int] = {}
    for part in shlex.split(conninfo):
        key, _, value = part.partition("=")
        if key == "port":
            kwargs["port"] = int(value)
        elif key in names:
            kwargs[names[key]] = value
    return kwargs


def _lock_id(lake: Lake) -> int:
    # Advisory locks are keyed by one bigint, shared by every database of the server: derive it
    # from the catalog so that two lakes on one server do not wait for each other.
    return int.from_bytes(hashlib.sha1(lake.catalog.encode()).digest()[:8], "big", signed=True)


@contextmanager
def _advisory_lock(lake: Lake, timeout: float) -> Iterator[None]:
    import asyncpg

    conninfo = lake.catalog.split(":", 1)[1]
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, name="sinorus-pg-lock", daemon=True)
    runner.start()

    def call(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    try:
        connection = call(asyncpg.connect(**conninfo_kwargs(conninfo), timeout=30))
        try:
            deadline = time.monotonic() + timeout
            while not call(connection.fetchval("select pg_try_advisory_lock($1)", _lock_id(lake))):
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another writer held the catalog lock for over {timeout:.0f} s"
                    )
                time.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                call(connection.execute("select pg_advisory_unlock($1)", _lock_id(lake)))
        finally:
            call(connection.close())
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(timeout=5)
        loop.close()
