"""Which day an article belongs to: every witness read, the first plausible one chosen.

The witnesses, in the order they are believed:
  url       a complete year/month/day in the URL's path: the CMS sets it at publication and it
            never changes with an update;
  headline  the date printed beside the headline (the byline): what a reader reads as the
            publication date; metadata is more often a modification or a time-zone-shifted date;
  metadata  the page's publication markup (htmldate without extensive search, original date);
  listing   the feed entry's or listing's date (what it says, 'feed' or 'listing');
  extensive htmldate's extensive search: a guess from any date on the page, last resort.
A date after the fetch (a day of time zones allowed), before the web's news (1995), or decades
before what another witness states, is no witness. Measured on 800 real pages: bench/dates.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from htmldate.extractors import extract_url_date, try_date_expr_opts
from htmldate.utils import Extractor
from lxml.html import HtmlElement

from tasks.records import DateSource, ListingDate

Witness = Literal["url", "headline", "metadata", "listing", "extensive"]
PAGE_WITNESSES: tuple[Witness, ...] = ("url", "headline", "metadata")
EARLIEST = date(1995, 1, 1)  # htmldate's own floor: before it, a "date" is a founding year
DECADES = timedelta(days=20 * 365)
TIME_ZONES = timedelta(days=1)  # a page dated in Asia can be a day ahead of UTC at fetch time
# The byline sits right after the headline (or just before it, as a kicker); further down the
# dates are related stories'. Counted in non-empty text nodes; a date expression is short.
AFTER_HEADLINE_NODES = 40
BEFORE_HEADLINE_NODES = 8
DATE_TEXT_CHARS = (6, 80)
_TEXT_NODES = "[normalize-space()][not(ancestor::script)][not(ancestor::style)]"


def _options(latest: datetime) -> Extractor:
    # Extractor(extensive, max_date, min_date, original, outputformat)
    return Extractor(False, latest, datetime.combine(EARLIEST, time()), True, "%Y-%m-%d")


def url_date(url: str, latest: datetime) -> str | None:
    """Return the complete date (YYYY-MM-DD) in the URL's path, or None."""
    return extract_url_date(url, _options(latest))


def headline_date(tree: HtmlElement, latest: datetime) -> str | None:
    """Return the first date (YYYY-MM-DD) printed next to the page's first <h1>, or None."""
    h1 = tree.find(".//h1")
    if h1 is None:
        return None
    options = _options(latest)
    after = h1.xpath(f"following::text(){_TEXT_NODES}")[:AFTER_HEADLINE_NODES]
    before = h1.xpath(f"preceding::text(){_TEXT_NODES}")[-BEFORE_HEADLINE_NODES:]
    for node in [*after, *reversed(before)]:
        text = node.strip()
        if DATE_TEXT_CHARS[0] <= len(text) <= DATE_TEXT_CHARS[1]:
            found = try_date_expr_opts(text, options)
            if found:
                return found
    return None


def _day(value: str | date | datetime | None) -> date | None:
    if value is None or isinstance(value, datetime):
        return value.date() if value else None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def choose_date(
    *,
    fetched_at: datetime,
    url: str | date | None = None,
    headline: str | date | None = None,
    metadata: str | date | None = None,
    listing: datetime | None = None,
    listing_source: ListingDate = "feed",
    extensive: str | date | None = None,
) -> tuple[datetime | None, DateSource, dict]:
    """Return (publication time, date_source, evidence) from every witness of one page.

    Page witnesses give a day (stored at midnight) unless the listing gives a time on that same
    day. The evidence holds each witness's day, why any was set aside, and which one won.
    """
    days: dict[Witness, date | None] = {
        "url": _day(url),
        "headline": _day(headline),
        "metadata": _day(metadata),
        "listing": _day(listing),
        "extensive": _day(extensive),
    }
    latest_plausible = (fetched_at + TIME_ZONES).date()
    rejected: dict[str, str] = {}
    for name, day in days.items():
        if day is None:
            continue
        if day > latest_plausible:
            rejected[name] = "after the fetch"
        elif day < EARLIEST:
            rejected[name] = f"before {EARLIEST.year}"
    plausible = {n: d for n, d in days.items() if d is not None and n not in rejected}
    # A stray founding year or copyright line is no publication date when another witness of
    # the same page or listing states one decades later.
    if plausible:
        newest = max(plausible.values())
        for name, day in list(plausible.items()):
            if newest - day > DECADES:
                rejected[name] = f"decades before {newest.isoformat()}"
                del plausible[name]
    evidence = {
        "witnesses": {n: d.isoformat() if d else None for n, d in days.items()},
        "rejected": rejected,
        "chosen": None,
    }
    for name in ("url", "headline", "metadata", "listing", "extensive"):
        day = plausible.get(name)
        if day is None:
            continue
        evidence["chosen"] = name
        if name == "listing":
            return listing, listing_source, evidence
        source: DateSource = "page"
        if listing is not None and listing.date() == day:
            return listing, source, evidence  # the same day, and the listing knows the hour
        return datetime.combine(day, time()), source, evidence
    return None, "none", evidence
