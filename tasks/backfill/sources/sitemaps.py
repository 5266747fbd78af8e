"""Backfill from sitemaps: robots.txt `Sitemap:` lines, sitemap indexes, and Google News sitemaps.

The sites are those of the configured feeds, plus `backfill.sitemaps`. A URL is kept when its
news publication date falls in the window; without one, when its lastmod does not predate the
window (an article last changed before the window began was published before it too). A child
sitemap whose own lastmod predates the window is skipped for the same reason.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from config.settings import Settings
from tasks.backfill.listing import walk_all
from tasks.backfill.window import Discovery, Job
from tasks.http import FetchError, get
from tasks.records import Candidate, parse_iso
from tasks.urls import canonical_url, strip_credentials

NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# No entities, no network, no huge trees: sitemaps come from servers we do not control.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def w3c_date(value: str | None) -> datetime | None:
    """Return a W3C datetime (2023-03-05, 2023-03-05T10:00:00Z …) as naive UTC, or None."""
    return parse_iso(value)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(element, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def sites(settings: Settings) -> list[str]:
    """Return the sitemap starting points: site roots of the feeds, and the configured extras."""
    roots = []
    for url in [f.url for f in settings.feeds] + settings.backfill.sitemaps:
        parts = urlsplit(url)
        start = (
            url if parts.path.endswith((".xml", ".xml.gz")) else f"{parts.scheme}://{parts.netloc}/"
        )
        if start not in roots:
            roots.append(start)
    return roots


async def _sitemaps_of(client, root: str, max_bytes: int) -> list[str]:
    if urlsplit(root).path.endswith((".xml", ".xml.gz")):
        return [root]  # configured as a sitemap's own URL
    try:
        robots = await get(client, urljoin(root, "/robots.txt"), max_bytes)
        listed = [
            line.split(":", 1)[1].strip()
            for line in robots.body.decode("utf-8", "replace").splitlines()
            if line.lower().startswith("sitemap:")
        ]
    except FetchError:
        listed = []
    return listed or [urljoin(root, "/sitemap.xml")]


def parse_sitemap(
    body: bytes, url: str
) -> tuple[
    list[tuple[str, datetime | None]],
    list[tuple[str, datetime | None, datetime | None, str | None]],
]:
    """Return (child sitemaps with lastmod, URLs with news date, lastmod and news title)."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    root = etree.fromstring(body, PARSER)
    if root is None:
        raise ValueError("not XML")
    children, urls = [], []
    if _local(root.tag) == "sitemapindex":
        for node in root:
            loc = _text(node, "{*}loc")
            if loc:
                children.append((urljoin(url, loc), w3c_date(_text(node, "{*}lastmod"))))
    elif _local(root.tag) == "urlset":
        for node in root:
            loc = _text(node, "{*}loc")
            if loc:
                urls.append(
                    (
                        urljoin(url, loc),
                        w3c_date(_text(node, f"{NEWS}news/{NEWS}publication_date")),
                        w3c_date(_text(node, "{*}lastmod")),
                        _text(node, f"{NEWS}news/{NEWS}title"),
                    )
                )
    else:
        raise ValueError(f"not a sitemap: root element <{_local(root.tag)}>")
    return children, urls


async def walk_site(client, root: str, job: Job, settings: Settings) -> Discovery:
    """Return the URLs a site's sitemaps list for the window."""
    found = Discovery()
    todo = await _sitemaps_of(client, root, settings.fetch.max_bytes)
    done: set[str] = set()
    while todo and len(done) < settings.backfill.max_sitemaps:
        url = todo.pop(0)
        if url in done:
            continue
        done.add(url)
        try:
            response = await get(client, url, settings.fetch.max_bytes)
            children, urls = parse_sitemap(response.body, url)
        except (FetchError, ValueError, etree.XMLSyntaxError, OSError) as exc:
            found.notes.append(f"sitemap {url}: {getattr(exc, 'reason', exc)}")
            continue
        todo += [child for child, lastmod in children if lastmod is None or lastmod >= job.start]
        for loc, published, lastmod, title in urls:
            if published is not None and not job.covers(published):
                continue
            if published is None and lastmod is not None and lastmod < job.start:
                continue
            canonical = canonical_url(loc)
            if canonical is not None:
                found.candidates.append(
                    Candidate(
                        canonical_url=canonical,
                        url=strip_credentials(loc),
                        origin="backfill",
                        source=f"sitemap:{urlsplit(root).netloc}",
                        title=title,
                        published_at=published,
                        date_source="listing",
                        seen_at=lastmod,
                    )
                )
    return found


def discover(settings: Settings, job: Job) -> Discovery:
    """Return the URLs the configured sites' sitemaps list for the job's window."""
    return walk_all(settings, job, sites(settings), walk_site)
