"""Hostile servers: every route of tests/hostile_server.py gives its expected outcome, within its
time bound, and the big ones within a memory bound far under their size.

Each case is one fetch (tasks.fetch.fetch_pages, then extraction) or one feed check
(tasks.feeds.read_feed), with the tight settings of hostile_server.TIGHT.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import pytest

from config import Settings
from config.settings import Feed
from tasks import feeds
from tasks.extract import extract_pages
from tasks.feeds import read_feed
from tasks.fetch import fetch_pages
from tasks.records import Candidate, Failure, Page
from tasks.urls import canonical_url
from tests.hostile_server import BIG, MAX_BYTES, ROUTES, TIGHT, Expect, HostileServer

# Older feed checks raised transient failures (FeedUnavailable); newer ones return them.
FeedUnavailable = getattr(feeds, "FeedUnavailable", ())
# The most memory a big case may allocate while it runs: a few times the cap, a tenth of the body.
MEMORY_BOUND = 8 * MAX_BYTES
MEASURED: dict[str, tuple[float, int | None, str]] = {}  # path -> (seconds, peak bytes, outcome)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def _settings(settings: Settings, expect: Expect) -> Settings:
    # Measured under tracemalloc, which slows the decoding of a big body several-fold: its reads
    # may wait for the client as long as the case's bound (on a busy machine, past TIGHT's 1 s).
    big = {"timeout_seconds": expect.within} if expect.big else {}
    fetch = settings.fetch.model_copy(update={**TIGHT, **big, **expect.settings})
    extract = settings.extract.model_copy(update={"workers": 1})
    return settings.model_copy(update={"fetch": fetch, "extract": extract})


def _page_outcome(url: str, settings: Settings) -> tuple[str, bool | None, str]:
    """Return (outcome, transient, extracted text) of fetching and extracting one page."""
    candidate = Candidate(canonical_url=canonical_url(url) or url, url=url, origin="monitor")
    pages, failures = fetch_pages([candidate], settings.fetch)
    assert len(pages) + len(failures) == 1
    if failures:
        failure: Failure = failures[0]
        assert failure.stage == "fetch"
        return failure.reason, failure.transient, ""
    page: Page = pages[0]
    assert len(page.html) <= settings.fetch.max_bytes
    articles, not_extracted = extract_pages(pages, settings.extract)
    if not_extracted:
        assert not_extracted[0].reason == "no article text found", not_extracted[0].reason
        return "no article", None, ""
    return "article", None, articles[0].text


def _feed_outcome(url: str, settings: Settings) -> tuple[str, bool | None, int]:
    """Return (outcome, transient or None if the result does not say, entries) of one feed."""
    try:
        result = read_feed(Feed(name="hostile", url=url), {}, settings.fetch)
    except FeedUnavailable as exc:
        return exc.error.reason, True, 0
    if result.status == "failed":
        assert result.error and not result.entries
        return result.error, None, 0
    assert result.status == "ok", result
    return "ok", None, len(result.entries)


@pytest.mark.parametrize("path", list(ROUTES))
def test_hostile_route(path: str, hostile: HostileServer, settings: Settings) -> None:
    expect = ROUTES[path]
    tight = _settings(settings, expect)
    url = hostile.base_url + path
    if expect.big:
        tracemalloc.start()
    started = time.monotonic()
    try:
        if expect.kind == "page":
            outcome, transient, detail = _page_outcome(url, tight)
        else:
            outcome, transient, detail = _feed_outcome(url, tight)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] if expect.big else None
    finally:
        if expect.big:
            tracemalloc.stop()
    MEASURED[path] = (elapsed, peak, outcome)
    print(f"{path}: {elapsed:.2f} s, {outcome!r}" + (f", peak {peak / 1e6:.1f} MB" if peak else ""))

    assert expect.outcome in outcome, f"{path}: expected {expect.outcome!r}, got {outcome!r}"
    if expect.transient is not None and transient is not None:
        assert transient is expect.transient, f"{path}: transient is {transient}"
    if expect.text is not None:
        assert expect.text in detail
    if expect.entries is not None:
        assert detail == expect.entries
    assert elapsed <= expect.within, f"{path}: took {elapsed:.1f} s (bound {expect.within} s)"
    if expect.big:
        assert peak is not None and peak < MEMORY_BOUND < BIG / 10, f"{path}: peak {peak} bytes"


def test_feed_items_without_link_or_date(hostile: HostileServer, settings: Settings) -> None:
    """An item with no link is skipped; one with no date is kept, undated."""
    tight = _settings(settings, ROUTES["/feed/no-link-no-date"])
    url = hostile.base_url + "/feed/no-link-no-date"
    result = read_feed(Feed(name="hostile", url=url), {}, tight.fetch)
    dated = {e.title: e.published_at for e in result.entries}
    assert set(dated) == {"Item 1: China and Russia", "Item 2: China and Russia"}
    assert dated["Item 1: China and Russia"] is not None
    assert dated["Item 2: China and Russia"] is None
    assert all("utm_source" not in e.canonical_url for e in result.entries)


def test_every_case_ran_and_the_run_goes_on(hostile: HostileServer, settings: Settings) -> None:
    """All the hostile pages in one fetch_pages call: one outcome each, none holds up the rest
    beyond the slowest case's own bound."""
    paths = [p for p, e in ROUTES.items() if e.kind == "page" and not e.settings]
    tight = _settings(settings, Expect("page", "", 0))
    fetch = tight.fetch.model_copy(update={"concurrency": len(paths)})
    candidates = [
        Candidate(canonical_url=hostile.base_url + p, url=hostile.base_url + p, origin="monitor")
        for p in paths
    ]
    started = time.monotonic()
    pages, failures = fetch_pages(candidates, fetch)
    elapsed = time.monotonic() - started
    assert len(pages) + len(failures) == len(paths)
    assert elapsed <= max(ROUTES[p].within for p in paths) + 2
