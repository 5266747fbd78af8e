"""Read feeds: conditional GET with our own HTTP client, then feedparser over the bytes."""

from __future__ import annotations

import asyncio
import calendar
import hashlib
from datetime import UTC, datetime

import feedparser
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Feed, Fetch
from tasks.http import FetchError, get, make_client
from tasks.records import Candidate, FeedResult, FeedState
from tasks.urls import canonical_url

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        "text/plain",
        "text/html",  # some servers label feeds wrongly; feedparser decides
        "application/octet-stream",
        "",
    }
)


class FeedUnavailable(Exception):
    """A feed that could not be read for a reason worth retrying within the run."""

    def __init__(self, feed: Feed, error: FetchError) -> None:
        super().__init__(f"{feed.name}: {error.reason}")
        self.feed = feed
        self.error = error


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC).replace(tzinfo=None)
    return None


def parse_entries(
    body: bytes, feed: Feed, content_type: str = "", origin: str = "monitor"
) -> tuple[list[Candidate], str | None]:
    """Return the feed's entries as candidates and a warning if the feed was malformed but usable.

    Raises ValueError when the bytes hold no feed at all.
    """
    entries, warning, _ = parse_feed(body, feed, content_type, origin)
    return entries, warning


def parse_feed(
    body: bytes, feed: Feed, content_type: str = "", origin: str = "monitor"
) -> tuple[list[Candidate], str | None, feedparser.FeedParserDict]:
    """Return the entries, a warning if malformed but usable, and feedparser's whole result.

    Raises ValueError when the bytes hold no feed at all.
    """
    headers = {"content-location": feed.url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if problem is not None:
            raise ValueError(f"not a usable feed: {type(problem).__name__}: {problem}")
        if not parsed.get("version"):
            raise ValueError("not a feed: no RSS, Atom or RDF document found")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        canonical = canonical_url(link)
        if canonical is None:
            continue
        entries.append(
            Candidate(
                canonical_url=canonical,
                url=link.strip(),
                origin=origin,
                source=feed.name,
                title=(entry.get("title") or "").strip() or None,
                published_at=_entry_time(entry),
            )
        )
    warning = f"malformed but readable: {problem}" if problem is not None else None
    return entries, warning, parsed


async def _download(feed: Feed, state: FeedState | None, fetch: Fetch):
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if state is not None:
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
    async with make_client(fetch) as client:
        return await get(client, feed.url, fetch.max_bytes, headers=headers)


def read_feed(feed: Feed, states: dict[str, FeedState], fetch: Fetch) -> FeedResult:
    """Return the feed's new entries, or why it has none; raises FeedUnavailable if worth a retry."""
    state = states.get(feed.url)
    try:
        response = asyncio.run(_download(feed, state, fetch))
    except FetchError as exc:
        if exc.transient:
            raise FeedUnavailable(feed, exc) from None
        return FeedResult(feed=feed, status="failed", http_status=exc.status, error=exc.reason)
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if response.status == 304:
        return FeedResult(feed=feed, status="not_modified", http_status=304)
    if response.content_type not in FEED_TYPES:
        return FeedResult(
            feed=feed,
            status="failed",
            http_status=response.status,
            error=f"not a feed: content type {response.content_type}",
        )
    body_hash = hashlib.sha256(response.body).hexdigest()
    if state is not None and state.body_hash == body_hash:
        # Some servers send a fresh ETag for the same bytes: the hash catches those.
        return FeedResult(
            feed=feed,
            status="unchanged",
            etag=etag,
            last_modified=last_modified,
            body_hash=body_hash,
            http_status=response.status,
        )
    try:
        entries, warning = parse_entries(
            response.body, feed, response.headers.get("content-type", "")
        )
    except ValueError as exc:
        return FeedResult(feed=feed, status="failed", http_status=response.status, error=str(exc))
    return FeedResult(
        feed=feed,
        status="ok",
        entries=entries,
        etag=etag,
        last_modified=last_modified,
        body_hash=body_hash,
        http_status=response.status,
        warning=warning,
    )


def feed_results(feeds: list[Feed], outcomes: list[FeedResult | BaseException]) -> list[FeedResult]:
    """Return one result per feed, turning a check that raised (after retries) into a failure."""
    results = []
    for feed, outcome in zip(feeds, outcomes, strict=True):
        if isinstance(outcome, FeedResult):
            results.append(outcome)
        elif isinstance(outcome, FeedUnavailable):
            results.append(
                FeedResult(
                    feed=feed,
                    status="failed",
                    http_status=outcome.error.status,
                    error=outcome.error.reason,
                )
            )
        else:
            results.append(
                FeedResult(feed=feed, status="failed", error=f"{type(outcome).__name__}: {outcome}")
            )
    return results


# Transient failures raise FeedUnavailable and are retried; lasting ones come back as results.
read_feed_task = task(
    read_feed,
    name="read-feed",
    task_run_name="read-feed {feed.name}",
    retries=2,
    retry_delay_seconds=[2, 8],
    retry_jitter_factor=0.5,
    cache_policy=NONE,
)
