"""Tests of tasks/fetch.py (and tasks/http.py under it) against the newsroom's pages and routes."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from datetime import timedelta

import httpx
import pytest

from config import Settings
from tasks.fetch import fetch_pages
from tasks.http import Fetched, FetchError, get, is_private_address
from tasks.records import Candidate, Failure, Page, utcnow
from tasks.urls import canonical_url

STORED_PAGE = "/world/2026/11/14/power-of-siberia-2-talks.html"
DEAD_PAGE = "/world/2026/11/19/kremlin-beijing-leaders-hotline.html"


def candidate(url: str) -> Candidate:
    return Candidate(
        canonical_url=canonical_url(url) or url,
        url=url,
        origin="monitor",
        source="Newsroom",
        title="A title",
    )


def fetch_one(newsroom, path: str, fetch) -> Page | Failure:
    """Return the one outcome of fetching `path` from the newsroom."""
    pages, failures = fetch_pages([candidate(newsroom.base_url + path)], fetch)
    assert len(pages) + len(failures) == 1
    return (pages + failures)[0]


def failure(newsroom, path: str, fetch) -> Failure:
    outcome = fetch_one(newsroom, path, fetch)
    assert isinstance(outcome, Failure), outcome
    assert outcome.stage == "fetch"
    return outcome


def test_normal_page(newsroom, expected: dict, settings: Settings) -> None:
    before = utcnow()
    page = fetch_one(newsroom, STORED_PAGE, settings.fetch)
    assert isinstance(page, Page)
    assert page.final_url == newsroom.base_url + STORED_PAGE
    assert page.candidate.url == newsroom.base_url + STORED_PAGE
    assert page.html.lstrip().lower().startswith(b"<!doctype html")
    assert expected["site"]["marker"].encode() in page.html
    assert b"{{BASE}}" not in page.html
    assert page.fetched_at.tzinfo is None
    assert before - timedelta(seconds=1) <= page.fetched_at <= utcnow() + timedelta(seconds=1)


def test_dead_link_is_a_lasting_404(newsroom, settings: Settings) -> None:
    result = failure(newsroom, DEAD_PAGE, settings.fetch)
    assert result.reason == "HTTP 404"
    assert result.http_status == 404
    assert result.transient is False


@pytest.mark.parametrize(
    ("code", "transient"), [(503, True), (429, True), (500, True), (410, False), (403, False)]
)
def test_status_codes(code: int, transient: bool, newsroom, settings: Settings) -> None:
    result = failure(newsroom, f"/special/status/{code}", settings.fetch)
    assert result.reason == f"HTTP {code}"
    assert result.http_status == code
    assert result.transient is transient


def test_huge_page_is_too_large(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"max_bytes": 1_000_000})
    started = time.monotonic()
    result = failure(newsroom, "/special/huge", fetch)
    assert result.reason.startswith("too large")
    assert "1000000" in result.reason
    assert result.transient is False
    assert time.monotonic() - started < 3  # refused without reading 20 MB


def test_huge_page_within_a_large_cap(newsroom, settings: Settings) -> None:
    """The cap is the limit, not a fixed size: 25 MB lets the ~20 MB page through whole."""
    fetch = settings.fetch.model_copy(update={"max_bytes": 25_000_000})
    page = fetch_one(newsroom, "/special/huge", fetch)
    assert isinstance(page, Page)
    assert 19_000_000 < len(page.html) <= 20 * 1024 * 1024


def test_binary_is_not_html(newsroom, settings: Settings) -> None:
    result = failure(newsroom, "/special/binary", settings.fetch)
    assert result.reason == "not HTML: application/octet-stream"
    assert result.http_status == 200
    assert result.transient is False


def test_empty_body(newsroom, settings: Settings) -> None:
    result = failure(newsroom, "/special/status/204", settings.fetch)
    assert result.reason == "empty body"
    assert result.http_status == 204


def test_slow_page_times_out(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"timeout_seconds": 1.0})
    started = time.monotonic()
    result = failure(newsroom, "/special/slow?seconds=3", fetch)
    elapsed = time.monotonic() - started
    assert result.reason == "timeout"
    assert result.transient is True
    assert result.http_status is None
    assert elapsed < 2.5


def test_too_many_redirects(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"max_redirects": 5})
    result = failure(newsroom, "/special/redirect/10", fetch)
    assert result.reason == "too many redirects"
    assert result.transient is False


def test_redirects_within_the_limit_are_followed(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"max_redirects": 5})
    page = fetch_one(newsroom, "/special/redirect/3", fetch)
    assert isinstance(page, Page)
    assert page.final_url == newsroom.base_url + "/special/status/200"
    assert page.candidate.url == newsroom.base_url + "/special/redirect/3"


def test_private_host_refused(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"allow_private_hosts": False})
    result = failure(newsroom, STORED_PAGE, fetch)
    assert "private" in result.reason and "127.0.0.1" in result.reason
    assert result.transient is False


def test_connection_refused_is_transient(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    pages, failures = fetch_pages([candidate(f"http://127.0.0.1:{port}/a.html")], settings.fetch)
    assert pages == []
    assert failures[0].reason.startswith("network error")
    assert failures[0].transient is True


def test_unsupported_scheme(settings: Settings) -> None:
    pages, failures = fetch_pages([candidate("ftp://example.com/a.html")], settings.fetch)
    assert pages == []
    assert failures[0].reason.startswith("bad URL")
    assert failures[0].transient is False


def test_nothing_to_fetch(settings: Settings) -> None:
    assert fetch_pages([], settings.fetch) == ([], [])


def test_one_outcome_per_candidate_in_order(newsroom, expected: dict, settings: Settings) -> None:
    paths = [p["path"] for p in expected["page"]]
    candidates = [candidate(newsroom.base_url + path) for path in paths]
    pages, failures = fetch_pages(candidates, settings.fetch)
    assert len(pages) + len(failures) == len(candidates)
    dead = {p["path"] for p in expected["page"] if p["expect"] == "dead"}
    assert {f.candidate.url for f in failures} == {newsroom.base_url + p for p in dead}
    assert [p.candidate for p in pages] == [
        c for c in candidates if c.url not in {f.candidate.url for f in failures}
    ]


@pytest.mark.parametrize(
    ("concurrency", "at_least", "at_most"), [(1, 2.0, 10.0), (2, 1.0, 1.9), (4, 0.5, 1.5)]
)
def test_concurrency_is_respected(
    concurrency: int, at_least: float, at_most: float, newsroom, settings: Settings
) -> None:
    """Four 0.5 s pages take 2 s one at a time, 1 s two at a time, 0.5 s four at a time."""
    fetch = settings.fetch.model_copy(
        update={"concurrency": concurrency, "per_host_concurrency": 4, "per_host_delay_seconds": 0}
    )
    candidates = [
        candidate(f"{newsroom.base_url}/special/slow?seconds=0.5&n={i}") for i in range(4)
    ]
    started = time.monotonic()
    pages, failures = fetch_pages(candidates, fetch)
    elapsed = time.monotonic() - started
    assert len(pages) == 4 and failures == []
    assert at_least <= elapsed <= at_most


@pytest.mark.parametrize(("per_host", "delay", "at_least"), [(1, 0.0, 2.0), (4, 0.4, 1.2)])
def test_each_host_gets_its_own_limits(
    per_host: int, delay: float, at_least: float, newsroom, settings: Settings
) -> None:
    """One host: one request at a time takes 4 x 0.5 s; four at a time, started 0.4 s apart, 1.2 s+."""
    fetch = settings.fetch.model_copy(
        update={"concurrency": 8, "per_host_concurrency": per_host, "per_host_delay_seconds": delay}
    )
    candidates = [
        candidate(f"{newsroom.base_url}/special/slow?seconds=0.5&n={i}") for i in range(4)
    ]
    started = time.monotonic()
    pages, failures = fetch_pages(candidates, fetch)
    assert len(pages) == 4 and failures == []
    assert time.monotonic() - started >= at_least


def test_a_short_retry_after_is_waited_out_once(newsroom, settings: Settings) -> None:
    """429 with Retry-After: 1 is tried again after a second, then recorded with the delay."""
    fetch = settings.fetch.model_copy(update={"max_retry_after_seconds": 5})
    started = time.monotonic()
    pages, failures = fetch_pages([candidate(f"{newsroom.base_url}/special/status/429")], fetch)
    assert time.monotonic() - started >= 1.0
    assert pages == [] and failures[0].transient and failures[0].retry_after == 1.0
    patient = settings.fetch.model_copy(update={"max_retry_after_seconds": 0})
    started = time.monotonic()
    fetch_pages([candidate(f"{newsroom.base_url}/special/status/429")], patient)
    assert time.monotonic() - started < 1.0  # a wait longer than allowed is not waited


def test_localhost_by_name_refused(newsroom, settings: Settings) -> None:
    """The guard resolves names: `localhost` is as private as 127.0.0.1."""
    fetch = settings.fetch.model_copy(update={"allow_private_hosts": False})
    url = f"http://localhost:{newsroom.port}{STORED_PAGE}"
    pages, failures = fetch_pages([candidate(url)], fetch)
    assert pages == []
    assert "private" in failures[0].reason and "localhost" in failures[0].reason


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata endpoint
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:127.0.0.1", True),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_is_private_address(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def mock_client(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def run_get(handler, max_bytes: int) -> Fetched:
    async def go() -> Fetched:
        async with mock_client(handler) as client:
            return await get(client, "http://news.example.com/page.html", max_bytes)

    return asyncio.run(go())


def test_byte_cap_without_content_length() -> None:
    """A body streamed with no Content-Length is cut off once it passes the cap."""

    async def chunks():
        for _ in range(30):
            yield b"x" * 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=chunks())

    with pytest.raises(FetchError, match=r"too large: over 1000000 bytes"):
        run_get(handler, 1_000_000)
    assert len(run_get(handler, 5_000_000).body) == 3_000_000


def test_byte_cap_counts_decompressed_bytes() -> None:
    """A small gzip body that inflates past the cap (a zip bomb) is refused."""
    bomb = gzip.compress(b"0" * 5_000_000)
    assert len(bomb) < 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/html", "content-encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=bomb)

    with pytest.raises(FetchError, match="too large") as info:
        run_get(handler, 1_000_000)
    assert info.value.transient is False


def test_fetched_content_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "Text/HTML; charset=UTF-8"}, content=b"<p>x</p>"
        )

    fetched = run_get(handler, 1000)
    assert fetched.content_type == "text/html"
    assert fetched.status == 200 and fetched.body == b"<p>x</p>"
