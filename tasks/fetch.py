"""Fetch article pages concurrently, within bounds: concurrency, timeout, byte cap, HTML only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Fetch
from tasks.http import FetchError, get, make_client
from tasks.urls import Candidate

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def utcnow() -> datetime:
    """Return the current UTC time as a naive timestamp (the warehouse stores UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Page:
    """A fetched HTML page."""

    candidate: Candidate
    final_url: str
    html: bytes
    fetched_at: datetime


@dataclass(frozen=True)
class Failure:
    """A URL that gave no article this time, and why."""

    candidate: Candidate
    stage: str  # fetch | extract
    reason: str
    http_status: int | None = None
    transient: bool = False


async def _fetch_one(client, candidate: Candidate, fetch: Fetch, slots: asyncio.Semaphore):
    async with slots:
        try:
            response = await get(
                client,
                candidate.url,
                fetch.max_bytes,
                headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            )
        except FetchError as exc:
            return Failure(candidate, "fetch", exc.reason, exc.status, exc.transient)
    if response.content_type not in HTML_TYPES:
        return Failure(
            candidate,
            "fetch",
            f"not HTML: {response.content_type or 'no content type'}",
            response.status,
        )
    if not response.body.strip():
        return Failure(candidate, "fetch", "empty body", response.status)
    return Page(candidate, response.url, response.body, utcnow())


async def _fetch_all(candidates: list[Candidate], fetch: Fetch) -> list[Page | Failure]:
    slots = asyncio.Semaphore(fetch.concurrency)
    async with make_client(fetch) as client:
        return await asyncio.gather(*(_fetch_one(client, c, fetch, slots) for c in candidates))


def fetch_pages(candidates: list[Candidate], fetch: Fetch) -> tuple[list[Page], list[Failure]]:
    """Return the pages fetched and the failures, one of the two for each candidate."""
    outcomes = asyncio.run(_fetch_all(candidates, fetch)) if candidates else []
    pages = [o for o in outcomes if isinstance(o, Page)]
    failures = [o for o in outcomes if isinstance(o, Failure)]
    return pages, failures


# No retries here: each URL's failure is recorded, and transient ones are retried next run.
fetch_pages_task = task(fetch_pages, name="fetch-pages", cache_policy=NONE)
