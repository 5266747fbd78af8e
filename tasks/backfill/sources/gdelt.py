"""Backfill from the GDELT DOC 2.0 API: articles matching the configured query, slice by slice.

The API answers at most 250 articles a call (`maxrecords`), so the window is cut into slices
(`slice_hours`); a slice that comes back full is cut in half until `min_slice_minutes`. It asks
for about one request every 5 seconds, and answers a malformed query with an HTML page (HTTP 200),
which is treated as an error. `base_url` is configurable so tests replay recorded answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from config.settings import Gdelt, Settings
from tasks.backfill.window import Discovery, Job
from tasks.http import FetchError, get, make_client
from tasks.records import Candidate
from tasks.urls import canonical_url, strip_credentials

STAMP = "%Y%m%d%H%M%S"


class GdeltError(Exception):
    """An answer from GDELT that is not a list of articles."""


def slices(start: datetime, end: datetime, hours: float) -> list[tuple[datetime, datetime]]:
    """Return [start, end) cut into consecutive slices of at most `hours`."""
    step, out = timedelta(hours=hours), []
    while start < end:
        out.append((start, min(start + step, end)))
        start += step
    return out


def seen_date(value: str | None) -> datetime | None:
    """Return GDELT's seendate (20230321T054500Z) as a naive UTC datetime, or None."""
    try:
        return datetime.strptime(value or "", "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None


def parse_artlist(body: bytes, content_type: str) -> list[dict]:
    """Return the articles of an artlist answer; raises GdeltError for anything else."""
    if "json" not in content_type:
        snippet = " ".join(body.decode("utf-8", "replace").split())[:160]
        raise GdeltError(
            f"GDELT answered {content_type or 'no content type'}, not JSON: {snippet!r}"
        )
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError as exc:
        raise GdeltError(f"GDELT answered malformed JSON: {exc}") from None
    articles = data.get("articles", []) if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise GdeltError("GDELT answered JSON without an article list")
    return articles


class Pacer:
    """Keeps at least `interval` seconds between two requests."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = float("-inf")

    async def wait(self) -> None:
        """Return once the next request may go."""
        delay = self._last + self.interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self._last = time.monotonic()


async def _artlist(
    client, gdelt: Gdelt, start: datetime, end: datetime, max_bytes: int
) -> list[dict]:
    params = {
        "query": gdelt.query,
        "mode": "artlist",
        "format": "json",
        "maxrecords": str(gdelt.max_records),
        "sort": "datedesc",
        "startdatetime": start.strftime(STAMP),
        "enddatetime": end.strftime(STAMP),
    }
    url = str(client.build_request("GET", gdelt.base_url, params=params).url)
    response = await get(client, url, max_bytes)
    return parse_artlist(response.body, response.content_type)


async def _walk(settings: Settings, job: Job) -> Discovery:
    gdelt, found = settings.backfill.gdelt, Discovery()
    todo = slices(job.start, job.end + timedelta(microseconds=1), gdelt.slice_hours)
    pacer = Pacer(gdelt.request_interval_seconds)
    async with make_client(settings.fetch) as client:
        while todo:
            start, end = todo.pop(0)
            await pacer.wait()
            try:
                articles = await _artlist(client, gdelt, start, end, settings.fetch.max_bytes)
            except GdeltError as exc:
                found.notes.append(str(exc))
                break  # the same query fails the same way for every slice
            except FetchError as exc:
                found.notes.append(f"GDELT {start:%Y-%m-%d %H:%M}–{end:%H:%M}: {exc.reason}")
                continue
            if len(articles) >= gdelt.max_records and end - start > timedelta(
                minutes=gdelt.min_slice_minutes
            ):
                middle = start + (end - start) / 2
                todo[:0] = [(start, middle), (middle, end)]  # full: there may be more, look closer
                continue
            if len(articles) >= gdelt.max_records:
                found.notes.append(
                    f"GDELT {start:%Y-%m-%d %H:%M}: still {len(articles)} (the cap) at the smallest slice"
                )
            for article in articles:
                url = article.get("url") or ""
                canonical = canonical_url(url)
                if canonical is None:
                    continue
                domain = article.get("domain") or urlsplit(url).hostname or "unknown"
                found.candidates.append(
                    Candidate(
                        canonical_url=canonical,
                        url=strip_credentials(url),
                        origin="backfill",
                        source=f"gdelt:{domain}",
                        title=article.get("title") or None,
                        date_source="listing",
                        seen_at=seen_date(article.get("seendate")),
                    )
                )
    return found


def discover(settings: Settings, job: Job) -> Discovery:
    """Return the articles GDELT lists for the configured query in the job's window."""
    return asyncio.run(_walk(settings, job))
