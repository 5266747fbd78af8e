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
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

from prefect import task
from prefect.cache_policies import NONE

from tasks.clock import CLOCK, Clock
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


# A Prefect server on SQLite answers 503 when its database is busy (SQLITE_BUSY_SNAPSHOT, often
# while a run ships its states and events), and Prefect's client sleeps 2 s and more before it
# asks again, on a free slot, even when told to retry nothing: 2 s of a ~3 s batch, measured.
# The lease calls are posted here once each, and a busy server is asked again after 0.1 s.
BUSY_STATUSES = frozenset({429, 502, 503})
BUSY_RETRY_SECONDS = 0.1
# Measured on CI: a server busy with two runs' events answered 503 for over 2 s, the slot was
# never given back and the other run waited WAIT_SECONDS at each of its commits.
RELEASE_SECONDS = LEASE_SECONDS / 2
TAKE_PATH = "/v2/concurrency_limits/increment-with-lease"
GIVE_PATH = "/v2/concurrency_limits/decrement-with-lease"


def _post_once(client: Any, path: str, body: dict) -> Any:
    """Return the API's answer to one POST (an httpx.Response), past the client's retry loop;
    a request that got no answer (a timeout, a reset) counts as a busy server's 503."""
    import httpx

    # The client's httpx client carries the base URL, auth and headers; its send() adds the loop.
    raw = client._client
    try:
        return httpx.Client.send(raw, raw.build_request("POST", path, json=body))
    except httpx.TransportError as exc:
        log.debug("no answer to POST %s (%s): asked again", path, exc)
        return httpx.Response(503)


@contextmanager
def _held_slot(
    lease_seconds: float = LEASE_SECONDS, wait_seconds: float = WAIT_SECONDS, clock: Clock = CLOCK
) -> Iterator[None]:
    """Hold one slot of `warehouse-commit` for the block, renewing its lease meanwhile (or, taken
    for longer than `wait_seconds`, run the block without it).

    Prefect's own `concurrency()` waits about two seconds before each acquisition made inside
    a task run (measured: 1.7-2.6 s, with the slot free); a batch commit takes a fraction of
    that, so the slot is taken here with the lease calls directly (see BUSY_STATUSES).
    """
    from prefect.client.orchestration import get_client

    body = {"names": [COMMIT_LIMIT], "slots": 1, "mode": "concurrency"}
    with get_client(sync_client=True) as client:
        deadline = clock.monotonic() + wait_seconds
        while True:
            response = _post_once(client, TAKE_PATH, {**body, "lease_duration": lease_seconds})
            if response.status_code in BUSY_STATUSES:
                retry_after = BUSY_RETRY_SECONDS
            elif response.status_code == 423:  # held by another writer: the server says when
                retry_after = float(response.headers.get("Retry-After", 0.2))
            elif response.is_success:
                break
            else:  # anything else (a CSRF token to fetch, an error to raise): the client's way
                response = client.increment_concurrency_slots_with_lease(
                    **body, lease_duration=lease_seconds
                )
                break
            if clock.monotonic() > deadline:
                log.warning(
                    "the %r slot stayed taken for %.0f s (a dead holder on a server that does "
                    "not revoke leases?): committing under the catalog lock alone",
                    COMMIT_LIMIT,
                    wait_seconds,
                )
                yield
                return
            clock.sleep(min(retry_after, 0.5))
        lease_id = response.json()["lease_id"]
        done = threading.Event()

        def renew() -> None:
            while not clock.wait(done, lease_seconds / 3):
                with suppress(Exception):  # a missed renewal is retried; the lease is long
                    client.renew_concurrency_lease(lease_id, lease_duration=lease_seconds)

        renewer = threading.Thread(target=renew, name="sinorus-commit-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            _release(client, lease_id, clock)


def _release(client: Any, lease_id: str, clock: Clock = CLOCK) -> None:
    """Give the slot back, asking a busy server again (sooner first) for up to RELEASE_SECONDS.

    Never raises: the commit it guarded is done, and a lease not given back lapses by itself on
    a server that revokes leases. One that does not (an ephemeral server) would keep the slot
    taken, and every other writer would wait WAIT_SECONDS at each commit: hence the long ask.
    """
    problem: object = None
    deadline = clock.monotonic() + RELEASE_SECONDS
    pause = BUSY_RETRY_SECONDS
    while True:
        try:
            response = _post_once(client, GIVE_PATH, {"lease_id": lease_id})
            if response.status_code not in BUSY_STATUSES:
                if not response.is_success:  # a CSRF token to fetch, say: the client's way
                    client.release_concurrency_slots_with_lease(lease_id)
                return
            problem = f"HTTP {response.status_code}"
        except Exception as exc:  # noqa: BLE001 — the server unreachable: the lease lapses
            problem = exc
            break
        if clock.monotonic() + pause > deadline:
            break
        clock.sleep(pause)
        pause = min(pause * 1.5, 1.0)
    log.warning(
        "could not give back the %r lease %s (%s): it lapses by itself",
        COMMIT_LIMIT,
        lease_id,
        problem,
    )


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
