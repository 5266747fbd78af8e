"""Tests of the sample newsroom server and of the site's consistency with expected.toml."""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from sinorus.newsroom import SITE_DIR, Newsroom, load_expected

EXPECTED = load_expected()
FEEDS = EXPECTED["feed"]
PAGES = EXPECTED["page"]
PAGE_PATHS = [p["path"] for p in PAGES]
MARKER = EXPECTED["site"]["marker"]
FEED_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".xml": "application/xml",
}
PUBLISHED_META = re.compile(r'<meta property="article:published_time" content="([^"]+)"')


@pytest.fixture(scope="module")
def newsroom() -> Iterator[Newsroom]:
    """Return a running newsroom on a free port."""
    with Newsroom() as nr:
        yield nr


@pytest.fixture(scope="module")
def client(newsroom: Newsroom) -> Iterator[httpx.Client]:
    """Return an httpx client pointed at the newsroom."""
    with httpx.Client(base_url=newsroom.base_url, timeout=10) as c:
        yield c


def canonical_path(link: str, base_url: str) -> str:
    """Return the link's path without base, query or fragment."""
    assert link.startswith(base_url + "/"), link
    return urlsplit(link).path


def site_file(path: str) -> str:
    """Return the raw (unsubstituted) text of a site file."""
    return (SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8")


def test_base_url(newsroom: Newsroom) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", newsroom.base_url)
    assert newsroom.port > 0


@pytest.mark.parametrize("feed", FEEDS, ids=[f["path"] for f in FEEDS])
def test_feed_served_and_parsed(feed: dict, client: httpx.Client, newsroom: Newsroom) -> None:
    resp = client.get(feed["path"])
    assert resp.status_code == 200
    suffix = "." + feed["path"].rsplit(".", 1)[1]
    assert resp.headers["content-type"].startswith(FEED_TYPES[suffix])
    assert "{{BASE}}" not in resp.text
    parsed = feedparser.parse(resp.content)
    assert len(parsed.entries) == feed["entries"]
    if feed["expect"] == "ok":
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == feed["format"]
        assert parsed.feed.title == feed["name"]
        assert newsroom.base_url + "/" in resp.text
        for entry in parsed.entries:
            assert entry.title and entry.link and entry.get("summary")
            assert entry.get("published_parsed") or entry.get("updated_parsed")
    else:
        assert parsed.bozo


def feed_entries(client: httpx.Client) -> list[tuple[str, dict]]:
    """Return (feed path, entry) for every entry of every ok feed."""
    out = []
    for feed in FEEDS:
        parsed = feedparser.parse(client.get(feed["path"]).content)
        out += [(feed["path"], e) for e in parsed.entries]
    return out


def test_every_feed_link_is_expected_once(client: httpx.Client, newsroom: Newsroom) -> None:
    assert len(PAGE_PATHS) == len(set(PAGE_PATHS)), "a page is listed twice"
    entries = feed_entries(client)
    assert len(entries) == EXPECTED["site"]["feed_entries"]
    linked: dict[str, set[str]] = {}
    for feed_path, entry in entries:
        path = canonical_path(entry.link, newsroom.base_url)
        assert path in PAGE_PATHS, f"{entry.link} from {feed_path} is not in expected.toml"
        linked.setdefault(path, set()).add(feed_path)
    assert set(linked) == set(PAGE_PATHS)
    assert len(linked) == EXPECTED["site"]["pages_linked_from_feeds"]
    for page in PAGES:
        assert linked[page["path"]] == set(page["feeds"]), page["path"]
    raw = [e.link for _, e in entries]
    assert any("utm_source=rss" in link and "#" in link for link in raw)


def test_feed_dates_match_expected(client: httpx.Client, newsroom: Newsroom) -> None:
    published = {p["path"]: p["published"] for p in PAGES}
    for _, entry in feed_entries(client):
        struct = entry.get("published_parsed") or entry.get("updated_parsed")
        day = datetime(*struct[:6], tzinfo=UTC).date().isoformat()
        assert day == published[canonical_path(entry.link, newsroom.base_url)], entry.link


@pytest.mark.parametrize("page", PAGES, ids=PAGE_PATHS)
def test_page_status(page: dict, client: httpx.Client, newsroom: Newsroom) -> None:
    resp = client.get(page["path"])
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    if page["expect"] == "dead":
        assert resp.status_code == 404
        assert "<html" in resp.text
        return
    assert resp.status_code == 200
    assert "{{BASE}}" not in resp.text
    assert "<html" in resp.text[:3000].lower()


def test_pages_match_expected_metadata() -> None:
    for page in PAGES:
        if page["expect"] == "dead":
            assert not (SITE_DIR / page["path"].lstrip("/")).exists()
            continue
        html = site_file(page["path"])
        found = PUBLISHED_META.search(html)
        if page["date_from"] == "feed":
            assert found is None and "<time" not in html
            assert not re.search(r"/(19|20)\d\d/", page["path"])
            assert not re.search(r"\b(19|20)\d\d\b", html), "undated page mentions a year"
        elif found:  # the real benchmark pages use their own metadata conventions
            assert found.group(1).startswith(page["published"]), page["path"]
        text = re.sub(r"<[^>]+>", " ", html)
        for keyword in page.get("keywords", []):
            assert keyword.lower() in text.lower(), (page["path"], keyword)


def test_sample_pages_are_marked() -> None:
    stories = [p for p in PAGES if p["expect"] == "stored"]
    assert len(stories) == 6
    marked = [p for p in PAGES if p["expect"] != "dead" and MARKER in site_file(p["path"])]
    assert len(marked) == 7  # the six relevant samples and the China-only one
    for page in marked:
        html = site_file(page["path"])
        assert f"<!-- {MARKER} -->" in html[:200]
        body = html.split('<div class="story-body">', 1)[1]
        first_para = re.search(r"<p>(.*?)</p>", body, re.S).group(1)
        assert first_para.startswith(MARKER)
        if page["expect"] == "stored":
            words = len(re.sub(r"<[^>]+>", " ", body.split("</article>")[0]).split())
            assert 350 <= words <= 620, (page["path"], words)


def test_conditional_get(client: httpx.Client) -> None:
    path = PAGES[0]["path"]
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    old = formatdate(0, usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": old}).status_code == 200
    feed = client.get("/feeds/world.rss")
    again = client.get("/feeds/world.rss", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_head(client: httpx.Client) -> None:
    get, head = client.get("/feeds/asia.atom"), client.head("/feeds/asia.atom")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_missing_and_traversal(client: httpx.Client, newsroom: Newsroom) -> None:
    assert client.get("/no/such/page.html").status_code == 404
    assert client.get("/world/").status_code == 404
    assert client.get("/").status_code == 200
    conn = http.client.HTTPConnection("127.0.0.1", newsroom.port, timeout=10)
    for raw in ["/../pyproject.toml", "/../../newsroom/expected.toml", "/%2e%2e/pyproject.toml"]:
        conn.request("GET", raw)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 404, raw
    conn.close()


def test_special_slow(client: httpx.Client) -> None:
    start = time.monotonic()
    resp = client.get("/special/slow", params={"seconds": 1})
    assert resp.status_code == 200 and "<html" in resp.text
    assert time.monotonic() - start >= 0.9


def test_special_huge_can_be_abandoned(client: httpx.Client, newsroom: Newsroom) -> None:
    with (
        httpx.Client(timeout=10) as own,
        own.stream("GET", newsroom.base_url + "/special/huge") as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert int(r.headers["content-length"]) > 19 * 1024 * 1024
        read = 0
        for chunk in r.iter_bytes():
            read += len(chunk)
            if read >= 1024 * 1024:
                break
    assert read >= 1024 * 1024
    assert client.get("/feeds/world.rss").status_code == 200  # the server survived


@pytest.mark.parametrize("code", [200, 404, 410, 429, 500, 503])
def test_special_status(code: int, client: httpx.Client) -> None:
    resp = client.get(f"/special/status/{code}")
    assert resp.status_code == code
    assert (resp.headers.get("retry-after") == "1") == (code in (429, 503))


def test_special_redirect(client: httpx.Client) -> None:
    resp = client.get("/special/redirect/3", follow_redirects=True)
    assert resp.status_code == 200
    assert len(resp.history) == 3
    assert all(r.status_code == 302 for r in resp.history)
    assert resp.url.path == "/special/status/200"
    assert client.get("/special/redirect/2").status_code == 302


def test_special_binary(client: httpx.Client) -> None:
    resp = client.get("/special/binary")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/octet-stream"
    assert b"\x00" in resp.content


def test_start_stop_releases_port() -> None:
    nr = Newsroom().start()
    port = nr.port
    assert httpx.get(nr.base_url + "/robots.txt").headers["content-type"].startswith("text/plain")
    nr.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
