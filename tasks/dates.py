"""Which day an article belongs to: every witness read, the first plausible one chosen.

The witnesses, in the order they are believed:
  url       a complete year/month/day in the URL's path: the CMS sets it at publication and it
            never changes with an update;
  headline  the date printed beside the headline (the <h1> the page's title names): what a
            reader reads as the publication date; metadata is more often a modification or a
            time-zone-shifted date. None when it is one of a list (other stories' dates in like
            elements); a date quoted (an embedded post) or past another item's linked heading
            is not the story's; a <time>'s datetime stands in for a text like "1 minute ago";
            a day and month that read either way round take the reading another witness states;
  metadata  the page's publication markup: schema.org datePublished, else htmldate's (no
            extensive search, original date);
  listing   the feed entry's or listing's date (what it says, 'feed' or 'listing');
  extensive htmldate's extensive search: a guess from any date on the page, last resort.
A date after the fetch (a day of time zones allowed), before the web's news (1995), or decades
before what another witness states, is no witness. Measured on htmldate's 800 real pages and
checked on its 200 MediaCloud pages of 2020: bench/dates.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal, NamedTuple

from htmldate.extractors import COMPLETE_URL, extract_url_date, try_date_expr_opts
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
TITLE_CHARS = 10  # shorter, a heading is 'Menu' or 'Home', in many a title
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TEXT_NODES = "[normalize-space()][not(ancestor::script)][not(ancestor::style)]"
WORD = re.compile(r"\w+")
# Year, month and day as Chinese and Japanese (年月日) and Korean (년월일) write them.
CJK_DATE = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
RU_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({RU_MONTHS.replace(' ', '|')})\s+(\d{{4}})", re.I)
AMBIGUOUS_DATE = re.compile(r"(?<!\d)(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")


def _options(latest: datetime) -> Extractor:
    # Extractor(extensive, max_date, min_date, original, outputformat)
    return Extractor(False, latest, datetime.combine(EARLIEST, time()), True, "%Y-%m-%d")


def url_date(url: str, latest: datetime) -> str | None:
    """Return the complete date (YYYY-MM-DD) in the URL's path, or None."""
    found = extract_url_date(url, _options(latest))
    match = COMPLETE_URL.search(url) if found else None
    # "/2023/10/3-questions-to/" is a year, a month and the slug: a one-digit "day" that starts
    # a hyphenated word is no day ("/2018/12/4/slug" is one).
    if match and len(match[3]) == 1 and url[match.end(3) : match.end(3) + 1] in ("-", "_"):
        return None
    return found


class Headline(NamedTuple):
    """The date printed beside the headline, and its other reading if the text is ambiguous."""

    day: str  # YYYY-MM-DD as htmldate reads it (day first when the text is all numbers)
    swapped: str | None  # day and month the other way round ("11/08/23" in the US)


def _swapped(text: str, day: str) -> str | None:
    # Only bare numbers joined by slashes or hyphens leave the order open; dots mean day first.
    read = date.fromisoformat(day)
    for match in AMBIGUOUS_DATE.finditer(text):
        first, second = int(match[1]), int(match[3])
        if (
            first != second
            and max(first, second) <= 12
            and {first, second} == {read.day, read.month}
        ):
            return read.replace(day=read.month, month=read.day).isoformat()
    return None


def _words(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def _headlines(tree: HtmlElement) -> list[HtmlElement]:
    # The page's title names the story: the <h1> it holds is the headline, even after a site
    # name, an empty logo or "Navigation"; the first <h1> with text is the fallback (a blog's
    # name above each post), read when no date is next to the named one.
    titles = _titles(tree)
    named = first = None
    for h1 in tree.iter("h1"):
        if named is None and _named(h1, titles):
            named = h1
        if first is None and _words(h1.text_content()):
            first = h1
    return [h for h in dict.fromkeys((named, first)) if h is not None]


def _titles(tree: HtmlElement) -> list[str]:
    titles = [_words(tree.findtext(".//title") or "")]
    return titles + [
        _words(m.get("content") or "") for m in tree.iterfind(".//meta[@property='og:title']")
    ]


def _named(heading: HtmlElement, titles: list[str]) -> bool:
    text = _words(heading.text_content())
    return len(text) >= TITLE_CHARS and any(text in t or t and t in text for t in titles)


def _within(node: str, tags: tuple[str, ...]) -> HtmlElement | None:
    # lxml's text node knows its element: a tail's lies in the element's parent.
    element = node.getparent()
    if node.is_tail:
        element = element.getparent()
    if element is None:
        return None
    return next(element.iterancestors(*tags), None) if element.tag not in tags else element


def _another_item(node: str, headline: HtmlElement, titles: list[str]) -> bool:
    # A heading that links elsewhere, and is not the story's, titles another item (a teaser, a
    # related story): the dates from there on are that item's.
    heading = _within(node, HEADINGS)
    return (
        heading is not None
        and heading is not headline
        and heading.find(".//a[@href]") is not None
        and not _named(heading, titles)
    )


def _date_texts(node: str) -> list[str]:
    # A date in a quotation (an embedded post, a tweet) is the quoted item's. A <time>
    # element's datetime is read after its text, which may say only "1 minute ago" (and where
    # both are dates, the text is what the reader sees: the datetime can be another time).
    if _within(node, ("blockquote",)) is not None:
        return []
    text = node.strip()
    texts = [text] if DATE_TEXT_CHARS[0] <= len(text) <= DATE_TEXT_CHARS[1] else []
    element = node.getparent()
    if element.tag == "time" and not node.is_tail and element.get("datetime"):
        texts.append(element.get("datetime").strip()[: DATE_TEXT_CHARS[1]])
    return texts


def read_date(text: str, options: Extractor) -> str | None:
    """Return the day (YYYY-MM-DD) a short text states, or None: htmldate's reading, and the
    Chinese, Japanese, Korean and Russian forms it does not read."""
    if match := CJK_DATE.search(text):
        year, month, day = match.groups()
    elif match := RU_DATE.search(text):
        day, month, year = match[1], str(RU_MONTHS.split().index(match[2].lower()) + 1), match[3]
    else:
        return try_date_expr_opts(text, options)
    try:
        return try_date_expr_opts(date(int(year), int(month), int(day)).isoformat(), options)
    except ValueError:  # no such day
        return None


def _dates_beside(h1: HtmlElement, options: Extractor) -> list[tuple[str, str, tuple, bool]]:
    # Each date with its place and whether it is still this story's: not past another item's
    # heading (it counts all the same to tell a list of stories).
    titles = _titles(h1.getroottree().getroot())
    found = []
    for nodes in (
        h1.xpath(f"following::text(){_TEXT_NODES}")[:AFTER_HEADLINE_NODES],
        reversed(h1.xpath(f"preceding::text(){_TEXT_NODES}")[-BEFORE_HEADLINE_NODES:]),
    ):
        own = True
        for node in nodes:
            own = own and not _another_item(node, h1, titles)
            read = ((t, read_date(t, options)) for t in _date_texts(node))
            text, day = next(((t, d) for t, d in read if d), (None, None))
            if day:
                element = node.getparent()
                if node.is_tail and element.getparent() is not None:
                    element = element.getparent()
                found.append((text, day, (element.tag, element.get("class")), own))
    return found


def headline_date(tree: HtmlElement, latest: datetime) -> Headline | None:
    """Return the date printed next to the page's headline, or None (none, or one of a list)."""
    options = _options(latest)
    found = next(filter(None, (_dates_beside(h1, options) for h1 in _headlines(tree))), [])
    text, day, place, _ = next((f for f in found if f[3]), (None, None, None, False))
    if day is None:
        return None
    # A byline is one of a kind: dates in like elements with other days are a list of stories
    # (related, latest, comments), and the first of them need not be this one's.
    if any(other != day for _, other, where, _ in found if where == place):
        return None
    return Headline(day, _swapped(text, day))


def marked_date(tree: HtmlElement, latest: datetime) -> str | None:
    """Return the day of the first element marked up as schema.org datePublished, or None."""
    options = _options(latest)
    for element in tree.xpath("//*[@itemprop='datePublished']"):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if day := try_date_expr_opts(value.strip()[: DATE_TEXT_CHARS[1]], options):
            return day
    return None


class PageDates(NamedTuple):
    """The witnesses read from a page's tree before trafilatura prunes it."""

    url: str | None
    headline: Headline | None
    marked: str | None  # schema.org datePublished in the markup


def read_page(tree: HtmlElement, url: str, latest: datetime) -> PageDates:
    """Return the page's URL, headline and datePublished witnesses."""
    return PageDates(url_date(url, latest), headline_date(tree, latest), marked_date(tree, latest))


def witnesses(page: PageDates, metadata: str | None) -> dict[str, str | None]:
    """Return the worker's `dates` (url, headline, metadata; extensive still None) for a page."""
    # The page's own datePublished is a publication date by name; htmldate reads the first
    # date <meta> instead, and a generic "date" often is the page's last modification.
    metadata = page.marked or metadata
    headline = page.headline.day if page.headline else None
    others = {page.url, metadata} - {None}
    # A day and month that read either way round are settled by a witness that states one.
    if page.headline and page.headline.swapped in others and headline not in others:
        headline = page.headline.swapped
    return {"url": page.url, "headline": headline, "metadata": metadata, "extensive": None}


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
