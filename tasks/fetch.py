"""Fetch article pages concurrently, within bounds: concurrency, timeout, byte cap, HTML only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import replace
from urllib.parse import urlsplit

import httpcore
import httpx
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Fetch
from tasks.guard import Resolver
from tasks.http import FetchError, get, make_client
from tasks.records import Candidate, Failure, Page, utcnow
from tasks.urls import strip_credentials

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class HostGate:
    """Politeness per host: a few requests at a time, and a pause between two request starts."""

    def __init__(self, per_host: int, delay: float, shared: SharedPause | None = None) -> None:
        self.per_host = per_host
        self.delay = delay
        self.shared = shared
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots, starting no sooner than its pause allows."""
        loop = asyncio.get_running_loop()
        async with self._slots.setdefault(host, asyncio.Semaphore(self.per_host)):
            async with self._locks.setdefault(host, asyncio.Lock()):
                wait = self._next_start.get(host, 0.0) - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.shared is not None:
                    await self.shared.turn(host)
                self._next_start[host] = loop.time() + self.delay
            yield


class SharedPause:
    """The pause between two request starts to a host, held across every process and machine
    that shares a Prefect server: one slot of a global concurrency limit `host:<name>` (limit 1,
    created if missing), taken before a request and given back `delay` seconds after it.

    Its lease is Prefect's shortest (60 s): a process killed while holding a host's slot stalls
    that host for a minute at most. Per-process pauses (HostGate) still apply on top.
    """

    LEASE_SECONDS = 60.0

    def __init__(self, client, delay: float) -> None:
        self.client = client
        self.delay = delay
        self._known: set[str] = set()
        self._releases: set[asyncio.Task] = set()

    async def _ensure(self, name: str) -> None:
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
        from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

        if name in self._known:
            return
        try:
            await self.client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # another process made it meanwhile
                await self.client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
        self._known.add(name)

    async def turn(self, host: str) -> None:
        """Return once this process may start a request to `host` (its slot is taken)."""
        name = f"host:{host}"
        await self._ensure(name)
        while True:
            try:
                response = await self.client.increment_concurrency_slots_with_lease(
                    names=[name], slots=1, mode="concurrency", lease_duration=self.LEASE_SECONDS
                )
                break
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 423:
                    raise
                # Held elsewhere: look again within half the pause (the server's own Retry-After
                # assumes slots held for seconds); not faster, each refusal is a server write.
                await asyncio.sleep(max(self.delay / 2, 0.02))
        release = asyncio.create_task(self._release_after(response.json()["lease_id"]))
        self._releases.add(release)
        release.add_done_callback(self._releases.discard)

    async def _release_after(self, lease_id: str) -> None:
        await asyncio.sleep(self.delay)
        with suppress(Exception):  # an unreleased slot lapses with its lease
            await self.client.release_concurrency_slots_with_lease(lease_id)

    async def drain(self) -> None:
        """Give back every slot still held (after the last request of a batch)."""
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)


def shares_pause(fetch: Fetch) -> bool:
    """Return True if the per-host pause is held across processes (see SharedPause)."""
    from tasks.commit import shared_server

    return fetch.shared_host_limit and fetch.per_host_delay_seconds > 0 and shared_server()


async def _get_politely(client, candidate: Candidate, fetch: Fetch, gate: HostGate, slots):
    host = urlsplit(candidate.url).hostname or ""
    headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    for attempt in range(2):
        async with gate.slot(host), slots:
            try:
                return await get(client, candidate.url, fetch.max_bytes, headers=headers)
            except FetchError as exc:
                wait = exc.retry_after
                if attempt or wait is None or wait > fetch.max_retry_after_seconds:
                    raise
        await asyncio.sleep(wait)  # the server said when to come back: within reason, do
    raise AssertionError("unreachable")


async def _fetch_one(client, candidate: Candidate, fetch: Fetch, gate: HostGate, slots):
    clean = strip_credentials(candidate.url)
    if clean != candidate.url:  # never sent, never stored
        candidate = replace(candidate, url=clean)
    try:
        response = await _get_politely(client, candidate, fetch, gate, slots)
    except FetchError as exc:
        return Failure(
            candidate=candidate,
            stage="fetch",
            reason=exc.reason,
            http_status=exc.status,
            transient=exc.transient,
            retry_after=exc.retry_after,
        )
    if response.content_type not in HTML_TYPES:
        return Failure(
            candidate=candidate,
            stage="fetch",
            reason=f"not HTML: {response.content_type or 'no content type'}",
            http_status=response.status,
        )
    if not response.body.strip():
        return Failure(
            candidate=candidate, stage="fetch", reason="empty body", http_status=response.status
        )
    return Page(
        candidate=candidate, final_url=response.url, html=response.body, fetched_at=utcnow()
    )


async def _fetch_all(
    candidates: list[Candidate], fetch: Fetch, resolver, connector
) -> list[Page | Failure]:
    slots = asyncio.Semaphore(fetch.concurrency)
    async with AsyncExitStack() as stack:
        shared = None
        if shares_pause(fetch):
            from prefect.client.orchestration import get_client

            prefect = await stack.enter_async_context(get_client())
            shared = SharedPause(prefect, fetch.per_host_delay_seconds)
        gate = HostGate(fetch.per_host_concurrency, fetch.per_host_delay_seconds, shared)
        client = await stack.enter_async_context(make_client(fetch, resolver, connector))
        try:
            return await asyncio.gather(
                *(_fetch_one(client, c, fetch, gate, slots) for c in candidates)
            )
        finally:
            if shared is not None:
                await shared.drain()


def fetch_pages(
    candidates: list[Candidate],
    fetch: Fetch,
    resolver: Resolver | None = None,
    connector: httpcore.AsyncNetworkBackend | None = None,
) -> tuple[list[Page], list[Failure]]:
    """Return the pages fetched and the failures, one of the two for each candidate.

    Each request is bounded (tasks/http.py); `resolver` and `connector` stand in for DNS and the
    socket layer in tests (tasks/guard.py).
    """
    if not candidates:
        return [], []
    outcomes = asyncio.run(_fetch_all(candidates, fetch, resolver, connector))
    pages = [o for o in outcomes if isinstance(o, Page)]
    failures = [o for o in outcomes if isinstance(o, Failure)]
    return pages, failures


# No retries here: each URL's failure is recorded, and transient ones are retried next run.
fetch_pages_task = task(fetch_pages, name="fetch-pages", cache_policy=NONE)
