"""Tests of tasks/feeds.py: reading the newsroom's feeds over HTTP, and parsing fixture feeds.

Fixture feeds live in tests/fixtures/feeds/: each feed file has a sibling `<stem>.expect.toml`
giving the URL it is read as (`feed_url`) and either its entries (`[[entry]]`: url, canonical,
title, published; a missing title or published means None), an entry count (`entries`), or the
ValueError it must raise (`error`); `warning` is a substring of the expected warning.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from config import Feed, Settings
from tasks.feeds import feed_results, parse_entries, read_feed
from tasks.records import FeedResult, FeedState

FEED_FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FIXTURE_FEEDS = sorted(p for p in FEED_FIXTURES.iterdir() if not p.name.endswith(".toml"))


def newsroom_feed(newsroom, path: str, name: str = "Newsroom feed") -> Feed:
    return Feed(name=name, url=newsroom.base_url + path)


def ok_feeds(expected: dict) -> list[dict]:
    return [f for f in expected["feed"] if f["expect"] == "ok"]


def served(newsroom, path: str) -> httpx.Response:
    """Return the newsroom's plain response for `path` (for validators and the body hash)."""
    response = httpx.get(newsroom.base_url + path, timeout=5)
    response.raise_for_status()
    return response


# ---- the newsroom's feeds, over HTTP ----


@pytest.mark.parametrize("path", ["/feeds/world.rss", "/feeds/asia.atom", "/feeds/analysis.rdf"])
def test_ok_feed(path: str, newsroom, expected: dict, settings: Settings) -> None:
    spec = next(f for f in expected["feed"] if f["path"] == path)
    feed = newsroom_feed(newsroom, path, spec["name"])
    result = read_feed(feed, {}, settings.fetch)
    assert result.status == "ok", result.error
    assert result.ok and result.error is None and result.warning is None
    assert result.http_status == 200
    assert result.etag and result.last_modified
    assert result.body_hash == hashlib.sha256(served(newsroom, path).content).hexdigest()
    assert len(result.entries) == spec["entries"]
    linked = {p["path"] for p in expected["page"] if path in p["feeds"]}
    for entry in result.entries:
        assert entry.canonical_url.startswith(newsroom.base_url + "/")
        parts = urlsplit(entry.canonical_url)
        assert not parts.query and not parts.fragment, entry.canonical_url
        assert entry.origin == "monitor"
        assert entry.source == spec["name"]
        assert entry.title
        assert entry.published_at is not None and entry.published_at.tzinfo is None
    assert {urlsplit(e.canonical_url).path for e in result.entries} == linked


def test_feed_dates_are_the_entries_dates(newsroom, expected: dict, settings: Settings) -> None:
    """Pages dated only by their feed entry: the entry's date is the expected publication date."""
    feed_dated = [p for p in expected["page"] if p["date_from"] == "feed"]
    assert feed_dated
    entries = {}
    for spec in ok_feeds(expected):
        result = read_feed(newsroom_feed(newsroom, spec["path"]), {}, settings.fetch)
        entries |= {urlsplit(e.canonical_url).path: e for e in result.entries}
    for page in feed_dated:
        assert entries[page["path"]].published_at.date().isoformat() == page["published"]


def test_tracking_link_is_canonicalised(newsroom, settings: Settings) -> None:
    """asia.atom links a page with ?utm_...#comments; its canonical URL is the plain one."""
    result = read_feed(newsroom_feed(newsroom, "/feeds/asia.atom"), {}, settings.fetch)
    page = newsroom.base_url + "/world/2021/12/14/putin-xi-set-to-talk.html"
    entry = next(e for e in result.entries if e.canonical_url == page)
    assert "utm_source=rss" in entry.url


def test_second_read_with_validators_is_not_modified(newsroom, settings: Settings) -> None:
    feed = newsroom_feed(newsroom, "/feeds/world.rss")
    first = read_feed(feed, {}, settings.fetch)
    assert first.status == "ok"
    state = FeedState(
        url=feed.url, etag=first.etag, last_modified=first.last_modified, body_hash=first.body_hash
    )
    second = read_feed(feed, {feed.url: state}, settings.fetch)
    assert second.status == "not_modified"
    assert second.http_status == 304
    assert second.entries == []
    assert second.ok


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_not_modified(validator: str, newsroom, settings: Settings) -> None:
    feed = newsroom_feed(newsroom, "/feeds/asia.atom")
    headers = served(newsroom, "/feeds/asia.atom").headers
    state = (
        FeedState(url=feed.url, etag=headers["etag"])
        if validator == "etag"
        else FeedState(url=feed.url, last_modified=headers["last-modified"])
    )
    result = read_feed(feed, {feed.url: state}, settings.fetch)
    assert result.status == "not_modified"
    assert result.http_status == 304
    assert result.entries == []


def test_state_of_another_feed_is_not_used(newsroom, settings: Settings) -> None:
    """Validators are looked up by the feed's own URL."""
    feed = newsroom_feed(newsroom, "/feeds/asia.atom")
    headers = served(newsroom, "/feeds/asia.atom").headers
    other = newsroom.base_url + "/feeds/world.rss"
    state = FeedState(url=other, etag=headers["etag"])
    result = read_feed(feed, {other: state}, settings.fetch)
    assert result.status != "not_modified"


@pytest.mark.parametrize("etag", [None, '"an-old-etag"'])
def test_same_body_is_unchanged(etag: str | None, newsroom, settings: Settings) -> None:
    """A server that sends no (or a fresh) ETag for the same bytes: the body hash catches it."""
    path = "/feeds/analysis.rdf"
    feed = newsroom_feed(newsroom, path)
    body_hash = hashlib.sha256(served(newsroom, path).content).hexdigest()
    state = FeedState(url=feed.url, etag=etag, body_hash=body_hash)
    result = read_feed(feed, {feed.url: state}, settings.fetch)
    assert result.status == "unchanged"
    assert result.http_status == 200
    assert result.body_hash == body_hash
    assert result.etag and result.etag != etag  # the server's current validators are kept
    assert result.entries == []
    assert result.ok


def test_changed_body_is_read_again(newsroom, settings: Settings) -> None:
    feed = newsroom_feed(newsroom, "/feeds/analysis.rdf")
    state = FeedState(url=feed.url, etag='"old"', body_hash="0" * 64)
    result = read_feed(feed, {feed.url: state}, settings.fetch)
    assert result.status == "ok"
    assert len(result.entries) == 2


def test_broken_feed_fails_with_a_message(newsroom, settings: Settings) -> None:
    result = read_feed(newsroom_feed(newsroom, "/feeds/broken.xml"), {}, settings.fetch)
    assert result.status == "failed"
    assert not result.ok
    assert result.http_status == 200
    assert result.error and "feed" in result.error
    assert result.entries == []


def test_html_page_as_feed_fails(newsroom, settings: Settings) -> None:
    result = read_feed(newsroom_feed(newsroom, "/index.html"), {}, settings.fetch)
    assert result.status == "failed"
    assert result.error.startswith(("not a feed", "not a usable feed")), result.error


def test_feed_with_wrong_content_type_fails(newsroom, settings: Settings) -> None:
    result = read_feed(newsroom_feed(newsroom, "/static/site.css"), {}, settings.fetch)
    assert result.status == "failed"
    assert result.error == "not a feed: content type text/css"


def test_404_feed_fails(newsroom, settings: Settings) -> None:
    result = read_feed(newsroom_feed(newsroom, "/special/status/404"), {}, settings.fetch)
    assert result.status == "failed"
    assert result.error == "HTTP 404"
    assert result.http_status == 404
    assert result.entries == []


@pytest.mark.parametrize("code", [503, 429])
def test_transient_status_is_a_failed_result_not_an_exception(
    code: int, newsroom, settings: Settings
) -> None:
    """No retry within the run, no traceback: the feed's own backoff decides when it is next."""
    feed = newsroom_feed(newsroom, f"/special/status/{code}", "Flaky feed")
    result = read_feed(feed, {}, settings.fetch)
    assert (result.status, result.http_status, result.error) == ("failed", code, f"HTTP {code}")


def test_feed_hints_set_when_it_is_next_due() -> None:
    """ttl (minutes), Cache-Control max-age and Expires: the longest wait wins."""
    from datetime import datetime

    from tasks.feeds import refresh_after

    now = datetime(2026, 11, 30, 12, 0)
    parsed = {"feed": {"ttl": "60"}}
    assert refresh_after({}, parsed, now) == 3600
    assert refresh_after({"cache-control": "public, max-age=7200"}, parsed, now) == 7200
    expires = {"expires": "Mon, 30 Nov 2026 15:00:00 GMT"}
    assert refresh_after(expires, None, now) == 3 * 3600
    assert refresh_after({"expires": "0"}, None, now) is None
    assert refresh_after({"cache-control": "no-cache"}, {"feed": {}}, now) is None


def test_private_host_refused(newsroom, settings: Settings) -> None:
    fetch = settings.fetch.model_copy(update={"allow_private_hosts": False})
    result = read_feed(newsroom_feed(newsroom, "/feeds/world.rss"), {}, fetch)
    assert result.status == "failed"
    assert "private" in result.error
    assert result.entries == []


def test_feed_results() -> None:
    feeds = [Feed(name=f"F{i}", url=f"https://example.com/{i}.xml") for i in range(3)]
    ok = FeedResult(feed=feeds[0], status="ok")
    failed = FeedResult(feed=feeds[1], status="failed", http_status=503, error="HTTP 503")
    results = feed_results(feeds, [ok, failed, RuntimeError("boom")])
    assert results[:2] == [ok, failed]
    assert (results[2].feed, results[2].status, results[2].error) == (
        feeds[2],
        "failed",
        "RuntimeError: boom",
    )
    with pytest.raises(ValueError):
        feed_results(feeds, [ok])


# ---- fixture feeds, parsed from bytes ----


def load_expect(path: Path) -> dict:
    with path.with_name(path.name.split(".")[0] + ".expect.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_every_fixture_feed_has_an_expectation() -> None:
    assert len(FIXTURE_FEEDS) >= 5
    for path in FIXTURE_FEEDS:
        assert "feed_url" in load_expect(path), path.name


@pytest.mark.parametrize("path", FIXTURE_FEEDS, ids=[p.name for p in FIXTURE_FEEDS])
def test_fixture_feed(path: Path) -> None:
    expect = load_expect(path)
    feed = Feed(name="Fixture", url=expect["feed_url"])
    if "error" in expect:
        with pytest.raises(ValueError, match=expect["error"]):
            parse_entries(path.read_bytes(), feed)
        return
    entries, warning = parse_entries(path.read_bytes(), feed)
    if "warning" in expect:
        assert warning is not None and expect["warning"] in warning
    else:
        assert warning is None
    wanted = expect.get("entry", [])
    assert len(entries) == expect.get("entries", len(wanted))
    got = [
        {
            "url": e.url,
            "canonical": e.canonical_url,
            "title": e.title,
            "published": e.published_at,
        }
        for e in entries
    ]
    want = [
        {
            "url": w["url"],
            "canonical": w["canonical"],
            "title": w.get("title"),
            "published": w.get("published"),
        }
        for w in wanted
    ]
    assert got == want
    assert all(e.origin == "monitor" and e.source == "Fixture" for e in entries)
