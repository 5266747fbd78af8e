"""Fetch article pages concurrently, within bounds: concurrency, timeout, byte cap, HTML only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import urlsplit

import httpcore
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

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host = per_host
        self.delay = delay
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
                self._next_start[host] = loop.time() + self.delay
            yield


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
    gate = HostGate(fetch.per_host_concurrency, fetch.per_host_delay_seconds)
    async with make_client(fetch, resolver, connector) as client:
        return await asyncio.gather(
            *(_fetch_one(client, c, fetch, gate, slots) for c in candidates)
        )


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
