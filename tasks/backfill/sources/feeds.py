"""Backfill from feeds: each configured feed, followed back through its archive pages.

Two conventions are followed: RFC 5005 archived feeds (`<link rel="prev-archive">`) and
WordPress paging (`?paged=2`, `?paged=3` … until a 404). Paging stops once a page holds nothing
newer than the window's start, or after `backfill.max_feed_pages` pages.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from config.settings import Feed, Settings
from tasks.backfill.listing import walk_all
from tasks.backfill.window import Discovery, Job
from tasks.feeds import parse_feed
from tasks.http import FetchError, get
from tasks.records import Candidate


def with_page(url: str, page: int) -> str:
    """Return the URL with its `paged` query parameter set to `page`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "paged"] + [("paged", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _prev_archive(parsed) -> str | None:
    for link in parsed.feed.get("links", []):
        if link.get("rel") == "prev-archive" and link.get("href"):
            return link["href"]
    return None


def _is_wordpress(parsed) -> bool:
    return "wordpress" in (parsed.feed.get("generator") or "").lower()


def _in_reach(entry: Candidate, job: Job) -> bool:
    # Entries with no date are kept: the page's own date will decide.
    return entry.published_at is None or job.covers(entry.published_at)


async def walk_feed(client, feed: Feed, job: Job, settings: Settings) -> Discovery:
    """Return the feed's entries in the window, following its archive pages back in time."""
    found = Discovery()
    url, page, wordpress = feed.url, 1, False
    while url and page <= settings.backfill.max_feed_pages:
        try:
            response = await get(client, url, settings.fetch.max_bytes)
            entries, _, parsed = parse_feed(
                response.body, feed, response.headers.get("content-type", ""), "backfill"
            )
        except (FetchError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, FetchError) else str(exc)
            if not (wordpress and page > 1 and getattr(exc, "status", None) == 404):
                found.notes.append(f"{feed.name}: page {page} ({url}): {reason}")
            break  # a WordPress feed answers 404 past its last page
        found.candidates += [e for e in entries if _in_reach(e, job)]
        dated = [e.published_at for e in entries if e.published_at is not None]
        if not entries or (dated and max(dated) < job.start):
            break  # everything here predates the window: older pages will too
        wordpress = wordpress or (page == 1 and _is_wordpress(parsed))
        page += 1
        url = _prev_archive(parsed) or (with_page(feed.url, page) if wordpress else None)
    return found


def discover(settings: Settings, job: Job) -> Discovery:
    """Return every configured feed's entries in the job's window, archives included."""
    return walk_all(settings, job, settings.feeds, walk_feed)
