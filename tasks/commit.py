"""Commits to the warehouse, one at a time across every process, machine and worker.

Two locks, taken in this order. Around each batch commit of a flow run that talks to a Prefect
server others can reach (PREFECT_API_URL: `sinorus serve`, a work pool), the `warehouse-commit`
global concurrency limit (limit 1, created if missing): it serialises the batches of every run
and worker of that server, and shows who waits in the Prefect UI. Then, around every write, the
catalog's own lock (a file lock beside a SQLite catalog, a PostgreSQL advisory lock): it also
serialises processes that share no server, such as two plain `sinorus run` each with its own
temporary one, and commands run outside any flow. A temporary server is private to its process,
so a limit on it would serialise nothing the catalog lock does not: it is not asked.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress

from prefect import task
from prefect.cache_policies import NONE

from warehouse import Commit, Lake, writer

COMMIT_LIMIT = "warehouse-commit"
# A holder that dies frees the slot when its lease lapses and the server revokes it: measured
# 72-73 s on `prefect server start`. An in-process (ephemeral) server never revokes leases, so
# past WAIT_SECONDS the commit goes ahead under the catalog lock alone, which serialises the
# writes all the same: the limit then only loses its view of who waits.
LEASE_SECONDS = 60.0
WAIT_SECONDS = 3 * LEASE_SECONDS

log = logging.getLogger("sinorus.commit")


def ensure_commit_limit(enabled: bool = True) -> bool:
    """Return True if the `warehouse-commit` limit had to be created (limit 1, active).

    Nothing is asked of a temporary server, nor when `warehouse.commit_limit` is off.
    """
    if not (enabled and shared_server()):
        return False
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(COMMIT_LIMIT)
            return False
        except ObjectNotFound:
            pass
        try:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=COMMIT_LIMIT, limit=1)
            )
        except ObjectAlreadyExists:  # another run created it meanwhile
            return False
        return True


def _in_flow_run() -> bool:
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


@contextmanager
def _held_slot(
    lease_seconds: float = LEASE_SECONDS, wait_seconds: float = WAIT_SECONDS
) -> Iterator[None]:
    """Hold one slot of `warehouse-commit` for the block, renewing its lease meanwhile (or, taken
    for longer than `wait_seconds`, run the block without it).

    Prefect's own `concurrency()` waits about two seconds before each acquisition made inside
    a task run (measured: 1.7-2.6 s, with the slot free); a batch commit takes a fraction of
    that, so the slot is taken here with the client's lease calls directly.
    """
    import httpx
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                response = client.increment_concurrency_slots_with_lease(
                    names=[COMMIT_LIMIT], slots=1, mode="concurrency", lease_duration=lease_seconds
                )
                break
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 423:
                    raise
                retry_after = float(exc.response.headers.get("Retry-After", 0.2))
            if time.monotonic() > deadline:
                log.warning(
                    "the %r slot stayed taken for %.0f s (a dead holder on a server that does "
                    "not revoke leases?): committing under the catalog lock alone",
                    COMMIT_LIMIT,
                    wait_seconds,
                )
                yield
                return
            # Held by another writer: ask again soon (the server suggests when).
            time.sleep(min(retry_after, 0.5))
        lease_id = response.json()["lease_id"]
        done = threading.Event()

        def renew() -> None:
            while not done.wait(lease_seconds / 3):
                with suppress(Exception):  # a missed renewal is retried; the lease is long
                    client.renew_concurrency_lease(lease_id, lease_duration=lease_seconds)

        renewer = threading.Thread(target=renew, name="sinorus-commit-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            client.release_concurrency_slots_with_lease(lease_id)


def shared_server() -> bool:
    """Return True if Prefect talks to a server other processes can reach (PREFECT_API_URL)."""
    return bool(os.environ.get("PREFECT_API_URL"))


def commit_slot(enabled: bool = True):
    """Return a context holding the `warehouse-commit` slot in a flow run on a shared server."""
    return _held_slot() if enabled and shared_server() and _in_flow_run() else nullcontext()


@contextmanager
def committing(
    lake: Lake, message: str, run_id: str | None = None, batch: bool = False
) -> Iterator[Commit]:
    """Yield a write transaction on the lake, its snapshot labelled with `message` and `run_id`.

    A `batch` commit also holds the `warehouse-commit` limit (see above), when the lake's
    settings ask for it (`warehouse.commit_limit`).
    """
    info = {"run_id": run_id} if run_id else None
    with commit_slot(batch and lake.commit_limit), writer(lake, message, info) as con:
        yield con


ensure_commit_limit_task = task(ensure_commit_limit, name="ensure-commit-limit", cache_policy=NONE)
