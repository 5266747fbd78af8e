"""Tests of the sample newsroom server and of the site's consistency with expected.toml."""

from __future__ import annotations

import csv
import http.client
import io
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from email.utils import formatdate
from html import unescape
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from devtools.newsroom_server import SITE_DIR, Newsroom, load_backfill, load_expected, url_list

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


# ---- the backfill fixtures (newsroom/backfill.toml) ----

BACKFILL = load_backfill()
SINCE = date.fromisoformat(BACKFILL["window"]["since"])
UNTIL = date.fromisoformat(BACKFILL["window"]["until"])
BF_PAGES = BACKFILL["page"]
BF_PATHS = [p["path"] for p in BF_PAGES]
LISTINGS = BACKFILL["listing"]
GDELT = "/gdelt/api/v2/doc/doc"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def in_window(when: datetime) -> bool:
    """Return True if a UTC datetime falls in the backfill window (whole days)."""
    return SINCE <= when.astimezone(UTC).date() <= UNTIL


def w3c(value: str) -> datetime:
    """Return a W3C/ISO datetime as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def gdelt_get(client: httpx.Client, **params: str) -> httpx.Response:
    """Return the replay's answer to an artlist request with these parameters."""
    query = {"query": "(China OR Beijing) (Russia OR Moscow)", "mode": "artlist", "format": "json"}
    return client.get(GDELT, params=query | params)


def listings(source: str) -> list[dict]:
    return [item for item in LISTINGS if item["source"] == source]


def test_backfill_toml_is_consistent() -> None:
    assert len(BF_PATHS) == len(set(BF_PATHS)), "a page is listed twice"
    assert not set(BF_PATHS) & {p["path"] for p in PAGES if p["expect"] != "stored"} - {
        p["path"] for p in BF_PAGES if p["expect"] == "known"
    }
    known = {"stored", "irrelevant", "duplicate", "out_of_window", "undated", "dead", "known"}
    for page in BF_PAGES:
        assert page["expect"] in known, page["path"]
        assert page["date_from"] in ("page", "listing", "none"), page["path"]
        # every source that queues the page says so in its listing, and only those
        queued_by = {item["source"] for item in LISTINGS if page["path"] in item["paths"]}
        assert queued_by == set(page["listed_in"]), page["path"]
        if page["expect"] == "known":
            assert page["path"] in PAGE_PATHS, "known pages are those the monitor stores"
    expects = {p["expect"] for p in BF_PAGES}
    assert expects == known
    for item in LISTINGS:
        assert set(item["paths"]) <= set(BF_PATHS), item["name"]
        assert not set(item["paths"]) & set(item["outside"]), item["name"]


@pytest.mark.parametrize("page", BF_PAGES, ids=BF_PATHS)
def test_backfill_page_served_as_expected(page: dict, client: httpx.Client) -> None:
    resp = client.get(page["path"])
    if page.get("exists", True) is False:
        assert resp.status_code == 404
        assert not (SITE_DIR / page["path"].lstrip("/")).exists()
        return
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert "{{BASE}}" not in resp.text
    html = site_file(page["path"])
    found = PUBLISHED_META.search(html)
    if page["date_from"] == "page":
        assert found is not None and found.group(1).startswith(page["published"]), page["path"]
    else:  # no date in metadata, text, URL or link URLs: the listing (or nothing) dates it
        assert found is None and "<time" not in html, page["path"]
        assert not re.search(r"/(19|20)\d\d/", page["path"])
        assert not re.search(r"\b(19|20)\d\d\b", html), "undated page mentions a year"
        assert not re.search(r'href="[^"]*/(19|20)\d\d/', html), "undated page links dated URLs"
    text = re.sub(r"<[^>]+>", " ", html).lower()
    for keyword in page.get("keywords", []):
        assert keyword.lower() in text, (page["path"], keyword)


def test_backfill_samples_are_marked_and_existing_pages_untouched() -> None:
    new = [p for p in BF_PAGES if p["path"].startswith("/archive/") and p.get("exists", True)]
    assert len(new) == 14
    for page in new:
        html = site_file(page["path"])
        if page["expect"] == "duplicate":  # seed text, not ours: no "written for" marker
            assert MARKER not in html
            continue
        assert f"<!-- {MARKER} -->" in html[:200], page["path"]
        body = html.split('<div class="story-body">', 1)[1]
        assert re.search(r"<p>(.*?)</p>", body, re.S).group(1).startswith(MARKER)
    home = site_file("/index.html")
    assert "/archive/" not in home  # the home page lists the original set only
    for page in PAGES:  # the original generated pages link only to each other
        html = site_file(page["path"]) if page["expect"] != "dead" else ""
        if 'class="story-body"' in html:
            assert 'href="/archive/' not in html, page["path"]


def test_backfill_duplicate_is_a_near_copy_of_its_seed() -> None:
    page = next(p for p in BF_PAGES if p["expect"] == "duplicate")
    seed = page["duplicate_of"].removeprefix("seed://")
    seed_text = (SITE_DIR.parent.parent / "warehouse" / "seeds" / f"{seed}.txt").read_text()
    body = site_file(page["path"]).split('<div class="story-body">', 1)[1].split("</div>")[0]
    body = unescape(re.sub(r"<[^>]+>", " ", body))

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    a, b = shingles(body), shingles(seed_text)
    assert len(a & b) / len(a | b) > 0.85
    assert len(a & b) / len(a) > 0.9


def test_robots_txt_names_the_sitemap_index(client: httpx.Client, newsroom: Newsroom) -> None:
    resp = client.get("/robots.txt")
    assert resp.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {newsroom.base_url}/sitemap_index.xml" in resp.text.splitlines()
    assert "{{BASE}}" not in resp.text


def test_paged_query_maps_to_paged_files(client: httpx.Client, newsroom: Newsroom) -> None:
    first = client.get("/feeds/wp.rss")
    assert client.get("/feeds/wp.rss?paged=1").content == first.content
    newest = []
    for n in (1, 2, 3):
        resp = client.get("/feeds/wp.rss", params={"paged": n} if n > 1 else None)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/rss+xml")
        name = f"wp-paged-{n}.rss" if n > 1 else "wp.rss"
        assert resp.text == site_file(f"/feeds/{name}").replace("{{BASE}}", newsroom.base_url)
        parsed = feedparser.parse(resp.content)
        assert not parsed.bozo and parsed.feed.generator == "https://wordpress.org/?v=6.4"
        dates = [datetime(*e.published_parsed[:6], tzinfo=UTC) for e in parsed.entries]
        assert dates == sorted(dates, reverse=True)
        newest.append(dates)
    assert newest[0][-1] >= newest[1][0] and newest[1][-1] >= newest[2][0]  # older page by page
    assert all(d.month == 2 for d in newest[2][2:]) and newest[2][0].month == 3
    for bad in ("?paged=4", "?paged=0", "?paged=x", "?paged="):
        assert client.get("/feeds/wp.rss" + bad).status_code == 404, bad
    assert client.get("/feeds/world.rss?paged=2").status_code == 404
    assert client.get("/feeds/world.rss?utm_source=x").status_code == 200  # other queries: ignored


def _walk_archive(client: httpx.Client, start: str) -> list[tuple[str, feedparser.FeedParserDict]]:
    """Return every document of an RFC 5005 archive chain with its parse (fetches them all)."""
    out, url = [], start
    while url:
        resp = client.get(url)
        assert resp.status_code == 200, url
        parsed = feedparser.parse(resp.content)
        assert not parsed.bozo, url
        out.append((urlsplit(url).path, parsed))
        prev = [link.href for link in parsed.feed.links if link.rel == "prev-archive"]
        url = prev[0] if prev else None
    return out


def test_archived_feed_chain(client: httpx.Client, newsroom: Newsroom) -> None:
    chain = _walk_archive(client, newsroom.base_url + "/feeds/archive.atom")
    assert [path for path, _ in chain] == [
        "/feeds/archive.atom",
        "/feeds/archive-2023-03a.atom",
        "/feeds/archive-2023-02.atom",
        "/feeds/archive-2023-01.atom",
    ]
    spans = [
        ("2023-03-20", "2023-03-31"),
        ("2023-03-01", "2023-03-19"),
        ("2023-02-01", "2023-02-28"),
    ]
    for (path, parsed), (low, high) in zip(chain, spans, strict=False):
        days = [datetime(*e.published_parsed[:6]).date().isoformat() for e in parsed.entries]
        assert days and all(low <= d <= high for d in days), path
    for path in ("/feeds/archive-2023-03a.atom", "/feeds/archive-2023-02.atom"):
        raw = client.get(path).text
        assert "<fh:archive/>" in raw and 'rel="current"' in raw
    assert "<fh:archive" not in client.get("/feeds/archive.atom").text


@pytest.mark.parametrize("listing", listings("feeds"), ids=lambda x: x["name"])
def test_feed_listing_matches_backfill_toml(
    listing: dict, client: httpx.Client, newsroom: Newsroom
) -> None:
    if listing["start"].endswith(".atom"):
        docs = [parsed for _, parsed in _walk_archive(client, newsroom.base_url + listing["start"])]
    else:
        docs = [feedparser.parse(client.get(d).content) for d in listing["documents"][:-1]]
        assert client.get(listing["documents"][-1]).status_code == 404
    inside, outside = [], []
    for parsed in docs:
        for entry in parsed.entries:
            when = datetime(*entry.published_parsed[:6], tzinfo=UTC)
            path = canonical_path(entry.link, newsroom.base_url)
            (inside if in_window(when) else outside).append(path)
    assert inside == listing["paths"]
    assert set(listing["outside"]) <= set(outside)
    assert set(outside) - set(listing["outside"]) <= {
        "/archive/2023/01/30/russia-china-trade-record-year.html",
        "/archive/2023/01/12/chinese-tourists-return-russia.html",
    }  # archive-2023-01.atom, which a backfill never reads


def test_sitemaps(client: httpx.Client, newsroom: Newsroom) -> None:
    from xml.etree import ElementTree as ET

    (listing,) = listings("sitemaps")
    index = client.get("/sitemap_index.xml")
    assert index.headers["content-type"] == "application/xml"
    root = ET.fromstring(index.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    children = {
        urlsplit(s.findtext(f"{SITEMAP}loc")).path: w3c(s.findtext(f"{SITEMAP}lastmod"))
        for s in root
    }
    assert set(listing["documents"][2:]) | set(listing["may_skip"]) == set(children)
    for path in listing["may_skip"]:
        assert children[path].date() < SINCE
    for path in listing["not_found"]:
        assert client.get(path).status_code == 404
    inside, outside = [], []
    for path in children:
        resp = client.get(path)
        if resp.status_code == 404:
            continue
        assert resp.headers["content-type"] == "application/xml"
        assert "{{BASE}}" not in resp.text
        urlset = ET.fromstring(resp.content)
        assert urlset.tag == f"{SITEMAP}urlset"
        for url in urlset:
            loc = canonical_path(url.findtext(f"{SITEMAP}loc"), newsroom.base_url)
            news = url.findtext(f"{NEWS}news/{NEWS}publication_date")
            lastmod = url.findtext(f"{SITEMAP}lastmod")
            # lastmod is no publication date, but one before the window rules the URL out
            keep = in_window(w3c(news)) if news else lastmod is None or w3c(lastmod).date() >= SINCE
            (inside if keep else outside).append(loc)
            if path == "/news-sitemap.xml":
                assert news and url.findtext(f"{NEWS}news/{NEWS}title")
    assert inside.count("/archive/2023/03/31/russia-china-central-banks-payment-links.html") == 2
    assert sorted(set(inside)) == sorted(listing["paths"])  # news sitemap + monthly sitemap
    assert sorted(outside) == sorted(listing["outside"])


def test_gdelt_window_newest_first(client: httpx.Client, newsroom: Newsroom) -> None:
    (listing,) = listings("gdelt")
    resp = gdelt_get(client, startdatetime="20230301000000", enddatetime="20230401000000")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    articles = resp.json()["articles"]
    assert len(articles) == listing["records_in_window"]
    seen = [a["seendate"] for a in articles]
    assert seen == sorted(seen, reverse=True)
    for a in articles:
        assert set(a) == {"url", "url_mobile", "title", "seendate", "socialimage", "domain",
                          "language", "sourcecountry"}  # fmt: skip
        assert re.fullmatch(r"2023(03\d\d|0401)T\d{6}Z", a["seendate"])
        assert a["url"].startswith(newsroom.base_url + "/") and a["domain"] == "127.0.0.1"
    paths = [canonical_path(a["url"], newsroom.base_url) for a in articles]
    assert sorted(set(paths)) == sorted(listing["paths"])
    assert any("utm_source=" in a["url"] for a in articles)
    per_day: dict[str, int] = {}
    for s in seen:
        day = f"{s[:4]}-{s[4:6]}-{s[6:8]}"
        per_day[day] = per_day.get(day, 0) + 1
    assert per_day == listing["records_per_day"]
    everything = gdelt_get(client, maxrecords="250").json()["articles"]
    assert {canonical_path(a["url"], newsroom.base_url) for a in everything} - set(paths) == set(
        listing["outside"]
    )
    oldest = gdelt_get(client, sort="dateasc", maxrecords="3").json()["articles"]
    assert [a["seendate"] for a in oldest] == sorted(a["seendate"] for a in everything)[:3]


def test_gdelt_interval_is_half_open_and_capped(client: httpx.Client) -> None:
    day = gdelt_get(client, startdatetime="20230321000000", enddatetime="20230322000000")
    assert len(day.json()["articles"]) == 12
    capped = gdelt_get(
        client, startdatetime="20230321000000", enddatetime="20230322000000", maxrecords="10"
    ).json()["articles"]
    assert len(capped) == 10
    assert [a["seendate"] for a in capped] == [a["seendate"] for a in day.json()["articles"]][:10]
    # [start, end): a record seen exactly at the start is in, exactly at the end is out
    at = gdelt_get(client, startdatetime="20230321054500", enddatetime="20230321063000")
    assert [a["seendate"] for a in at.json()["articles"]] == ["20230321T054500Z"]
    total = len(gdelt_get(client, maxrecords="250").json()["articles"])
    assert len(gdelt_get(client).json()["articles"]) == min(total, 75)  # default 75
    assert len(gdelt_get(client, maxrecords="9999").json()["articles"]) == total  # capped at 250


def test_gdelt_empty_and_errors(client: httpx.Client) -> None:
    empty = gdelt_get(client, startdatetime="20200101000000", enddatetime="20200102000000")
    assert empty.status_code == 200 and empty.json() == {}
    for params in (
        {"query": "china russia badquery"},
        {"query": ""},
        {"startdatetime": "2023-03-01"},
        {"mode": "timelinevol"},
        {"format": "html"},
    ):
        resp = gdelt_get(client, **params)
        assert resp.status_code == 200, params
        assert resp.headers["content-type"].startswith("text/html"), params
        assert 0 < len(resp.text) < 200 and not resp.text.lstrip().startswith("{"), params


def test_request_log(newsroom: Newsroom, client: httpx.Client) -> None:
    with Newsroom() as own, httpx.Client(base_url=own.base_url, timeout=10) as c:
        assert own.requests == []
        c.get("/feeds/wp.rss", params={"paged": 4})
        c.head("/robots.txt")
        gdelt_get(c, startdatetime="20230321000000", enddatetime="20230322000000")
        assert own.requests[0] == "/feeds/wp.rss?paged=4"
        assert own.requests[1] == "/robots.txt"
        assert own.requests[2].startswith(GDELT + "?query=")
        assert "startdatetime=20230321000000" in own.requests[2]
        assert own.requested("/feeds/wp.rss") == ["/feeds/wp.rss?paged=4"]
        assert own.requested("/feeds/archive-2023-01.atom") == []
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: c.get("/feeds/asia.atom"), range(40)))
        assert len(own.requested("/feeds/asia.atom")) == 40
        own.clear_requests()
        assert own.requests == []
    before = len(newsroom.requests)
    client.get("/no/such/page.html")
    assert newsroom.requests[before:] == ["/no/such/page.html"]


@pytest.mark.parametrize("listing", listings("urls"), ids=lambda x: x["name"])
def test_url_lists(listing: dict, newsroom: Newsroom, client: httpx.Client) -> None:
    name = listing["file"].removeprefix("backfill/")
    text = url_list(name, newsroom.base_url)
    assert "{{BASE}}" not in text
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert "url" in rows[0] and len(rows[0]) > 1
        urls = [row["url"] for row in rows]
    else:
        lines = text.splitlines()
        assert "" in lines and any(line.startswith("#") for line in lines)
        urls = [line for line in lines if line and not line.startswith("#")]
        assert any("utm_source=" in u and "#" in u for u in urls)
    assert len(urls) == listing["url_lines"]
    paths = list(dict.fromkeys(canonical_path(u, newsroom.base_url) for u in urls))
    assert paths == listing["paths"]
    dead = {p["path"] for p in BF_PAGES if p["expect"] == "dead"}
    assert set(paths) & dead
    for path in set(paths) - dead:
        assert client.head(path).status_code == 200, path
