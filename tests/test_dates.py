"""Tests of tasks/dates.py: the choice among a page's date witnesses, and real pages dated."""

from __future__ import annotations

import gzip
import json
import lzma
from datetime import datetime
from pathlib import Path

import pytest
from lxml.html import HtmlElement, fromstring

from tasks.dates import (
    Headline,
    PageDates,
    _options,
    choose_date,
    headline_date,
    marked_date,
    read_date,
    read_page,
    url_date,
    witnesses,
)
from tasks.extract import page_date
from tasks.extract_worker import extract_fields
from tasks.records import Candidate, Page

FIXTURES = Path(__file__).parent / "fixtures" / "dates"
CASES = sorted(FIXTURES.glob("*.json"))
FETCHED = datetime(2024, 6, 1, 12, 0)
MIDNIGHT = datetime(2024, 5, 3)


def test_every_case_has_its_page() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        assert (FIXTURES / f"{case.stem}.html.gz").is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_real_page_dated_right(case: Path) -> None:
    expected = json.loads(case.read_text(encoding="utf-8"))
    html = gzip.decompress((FIXTURES / f"{case.stem}.html.gz").read_bytes())
    fields = extract_fields(html, expected["url"], True, False, 250)
    assert fields is not None
    page = Page(
        candidate=Candidate(canonical_url=expected["url"], url=expected["url"], origin="backfill"),
        final_url=expected["url"],
        html=html,
        fetched_at=FETCHED,
    )
    published, source, evidence = page_date(page, fields["dates"])
    assert published is not None, evidence
    assert published.date().isoformat() == expected["date"], evidence
    assert source == "page"


def test_url_beats_headline_beats_metadata_beats_listing_beats_extensive() -> None:
    witnesses = {
        "url": "2024-05-01",
        "headline": "2024-05-02",
        "metadata": "2024-05-03",
        "listing": datetime(2024, 5, 4, 8, 30),
        "extensive": "2024-05-05",
    }
    order = ["url", "headline", "metadata", "listing", "extensive"]
    for n, winner in enumerate(order):
        given = {k: v for k, v in witnesses.items() if k in order[n:]}
        published, source, evidence = choose_date(fetched_at=FETCHED, **given)
        assert evidence["chosen"] == winner
        assert source == ("feed" if winner == "listing" else "page")
        expected = witnesses[winner]
        assert published.date().isoformat() == (
            expected.date().isoformat() if isinstance(expected, datetime) else expected
        )


def test_no_witness_is_no_date() -> None:
    assert choose_date(fetched_at=FETCHED)[:2] == (None, "none")


def test_listing_source_is_kept() -> None:
    listed = datetime(2024, 5, 4, 8, 30)
    published, source, _ = choose_date(fetched_at=FETCHED, listing=listed, listing_source="listing")
    assert (published, source) == (listed, "listing")


def test_page_day_takes_the_listing_time_on_the_same_day() -> None:
    listed = datetime(2024, 5, 3, 17, 45)
    assert choose_date(fetched_at=FETCHED, metadata="2024-05-03", listing=listed)[:2] == (
        listed,
        "page",
    )
    other_day = choose_date(
        fetched_at=FETCHED, metadata="2024-05-03", listing=listed.replace(day=2)
    )
    assert other_day[:2] == (MIDNIGHT, "page")


def test_a_date_after_the_fetch_is_no_witness() -> None:
    published, _, evidence = choose_date(
        fetched_at=FETCHED, url="2024-06-03", metadata="2024-05-03"
    )
    assert published == MIDNIGHT
    assert evidence["rejected"] == {"url": "after the fetch"}
    # a day ahead is time zones, not the future
    assert choose_date(fetched_at=FETCHED, url="2024-06-02")[0] == datetime(2024, 6, 2)


def test_dates_before_the_web_or_decades_before_another_witness_are_no_witness() -> None:
    published, _, evidence = choose_date(
        fetched_at=FETCHED, headline="1987-03-01", metadata="2024-05-03"
    )
    assert published == MIDNIGHT
    assert evidence["rejected"]["headline"] == "before 1995"
    published, _, evidence = choose_date(
        fetched_at=FETCHED, url="1998-01-01", listing=datetime(2024, 5, 3)
    )
    assert evidence["chosen"] == "listing"
    assert evidence["rejected"]["url"].startswith("decades before")
    # years apart, not decades: the URL still wins (an old story listed again)
    assert choose_date(fetched_at=FETCHED, url="2015-01-01", listing=datetime(2024, 5, 3))[0] == (
        datetime(2015, 1, 1)
    )


def test_url_reader() -> None:
    latest = FETCHED
    assert url_date("https://example.com/world/2023/03/21/xi-putin.html", latest) == "2023-03-21"
    assert url_date("https://example.com/news/2018/12/4/yellow-vests", latest) == "2018-12-04"
    assert url_date("https://example.com/world/xi-putin.html", latest) is None
    # a year, a month, then a slug that starts with a number: no day
    assert url_date("https://blog.example.org/2023/10/3-questions-to-x/", latest) is None


def page(body: str, title: str = "Xi meets Putin") -> HtmlElement:
    return fromstring(
        f"<html><head><title>{title} | Daily</title></head><body>{body}</body></html>"
    )


def test_headline_reader() -> None:
    tree = page(
        "<p>Updated 1 June 2024</p><nav>Home</nav><h1>Xi meets Putin</h1>"
        "<p class=byline>By A. Writer, 21 March 2023</p><p>Text.</p>"
        "<script>var d = '2020-01-01';</script>"
    )
    assert headline_date(tree, FETCHED) == Headline("2023-03-21", None)
    assert headline_date(page("<p>21 March 2023</p>"), FETCHED) is None


def test_headline_is_the_h1_the_title_names() -> None:
    tree = page(
        "<h1>Daily</h1><p class=teaser>Sale ends 2 May 2024</p>"
        "<h1>Xi meets Putin</h1><p class=byline>21 March 2023</p>"
    )
    assert headline_date(tree, FETCHED).day == "2023-03-21"
    # no date beside the named one: the first <h1> with text is read
    blog = page("<h1>Xi's blog</h1><p>posted 21 March 2023</p><h1>Xi meets Putin</h1><p>Text</p>")
    assert headline_date(blog, FETCHED).day == "2023-03-21"


def test_a_date_in_a_list_of_stories_is_no_byline() -> None:
    teasers = "".join(
        f"<li><span class=date>{d}</span><a>Story</a></li>"
        for d in ("2 May 2024", "1 May 2024", "28 April 2024")
    )
    assert headline_date(page(f"<h1>Xi meets Putin</h1><ul>{teasers}</ul>"), FETCHED) is None
    # the same day twice (published, updated) is still one byline
    twice = "<span class=date>2 May 2024</span><span class=date>2 May 2024 10:00</span>"
    assert headline_date(page(f"<h1>Xi meets Putin</h1>{twice}"), FETCHED).day == "2024-05-02"


def test_an_ambiguous_day_and_month_take_the_reading_another_witness_states() -> None:
    slashed = headline_date(page("<h1>Xi meets Putin</h1><p>11/08/23 5:19pm</p>"), FETCHED)
    assert slashed == Headline("2023-08-11", "2023-11-08")
    read = PageDates(url=None, headline=slashed, marked=None)
    assert witnesses(read, "2023-11-08")["headline"] == "2023-11-08"
    assert witnesses(read, None)["headline"] == "2023-08-11"  # nobody says otherwise: day first
    assert witnesses(read, "2023-08-11")["headline"] == "2023-08-11"
    # dots are day first, and a 13th can only be a day
    for text in ("11.08.2023", "13/08/2023"):
        reading = headline_date(page(f"<h1>Xi meets Putin</h1><p>{text}</p>"), FETCHED)
        assert reading.swapped is None, text


def test_schema_org_date_published_is_the_metadata() -> None:
    tree = page(
        "<h1>Xi meets Putin</h1><p>Text</p>"
        "<time itemprop=datePublished datetime='2023-03-21T10:00:00+01:00'>21.03.</time>"
    )
    assert marked_date(tree, FETCHED) == "2023-03-21"
    read = read_page(tree, "https://example.com/xi-putin", FETCHED)
    dates = witnesses(read, "2023-03-28")  # htmldate's reading of a generic <meta name=date>
    assert dates["metadata"] == "2023-03-21"
    assert witnesses(read._replace(marked=None), "2023-03-28")["metadata"] == "2023-03-28"
    assert marked_date(page("<h1>Xi meets Putin</h1>"), FETCHED) is None


def test_a_date_in_a_quotation_is_the_quoted_items() -> None:
    tweet = (
        "<h1>Xi meets Putin</h1><p>Text.</p><blockquote class=twitter-tweet><p>Off to Moscow</p>"
        "&mdash; Agency (@agency) <a href='https://twitter.com/x/status/1'>May 2, 2024</a>"
        "</blockquote>"
    )
    assert headline_date(page(tweet), FETCHED) is None
    assert headline_date(page(tweet + "<p>May 3, 2024</p>"), FETCHED).day == "2024-05-03"


def test_dates_past_another_items_heading_are_that_items() -> None:
    teaser = (
        "<h1>Xi meets Putin</h1><p>Text.</p><div class=card><h2><a href='/other'>Trade grows"
        "</a></h2><span class=pub-date>Jul 27, 2023</span></div>"
    )
    assert headline_date(page(teaser), FETCHED) is None
    # a heading with no link (a subtitle), or the story's own linked to itself, is no other item
    subtitle = "<h1>Xi meets Putin</h1><h2>Talks in Moscow</h2><p>Jul 27, 2023</p>"
    assert headline_date(page(subtitle), FETCHED).day == "2023-07-27"
    own = "<h1>Site</h1><h2><a href='/xi'>Xi meets Putin</a></h2><p>Jul 27, 2023</p>"
    assert headline_date(page(own), FETCHED).day == "2023-07-27"
    # past it, the dates still tell a list of stories
    listing = (
        "<h1>Xi meets Putin</h1><h5 class=date>10.05.2024</h5><h3><a href='/a'>A</a></h3>"
        "<h5 class=date>09.05.2024</h5><h3><a href='/b'>B</a></h3>"
    )
    assert headline_date(page(listing), FETCHED) is None


def test_a_time_elements_datetime_when_its_text_is_no_date() -> None:
    forum = (
        "<h1>Xi meets Putin</h1><time datetime='2024-03-18T12:22:42-0400'>1 minute ago</time>"
        "<dl><dt>Joined</dt><dd>May 11, 2017</dd></dl>"
    )
    assert headline_date(page(forum), FETCHED).day == "2024-03-18"
    # the text a reader sees comes first
    both = "<h1>Xi meets Putin</h1><time datetime='2024-03-20T10:00:00Z'>18 March 2024</time>"
    assert headline_date(page(both), FETCHED).day == "2024-03-18"


def test_chinese_japanese_korean_and_russian_dates_are_read() -> None:
    options = _options(FETCHED)
    assert read_date("2024年5月3日 10:00", options) == "2024-05-03"
    assert read_date("2024年05月03日", options) == "2024-05-03"
    assert read_date("2024년 5월 3일", options) == "2024-05-03"
    assert read_date("3 мая 2024, 10:00", options) == "2024-05-03"
    assert read_date("30 февраля 2024", options) is None  # no such day
    assert read_date("2031年1月1日", options) is None  # after the latest plausible day
    assert read_date("3 May 2024", options) == "2024-05-03"  # htmldate's own reading


EVAL_2020 = Path(__file__).parent / "eval" / "dates" / "mediacloud-2020"
# Pages of htmldate's 2020 set the rule got wrong before issue 21, one for each kind of mistake:
# a forum's member profile date, an embedded post's date, another item's date past its heading,
# a blog post dated in Japanese.
MISTAKES_2020 = ("hypixel.net/threads", "actu.fr/societe", "kut.org/post", "blog.goo.ne.jp")


@pytest.mark.parametrize("key", MISTAKES_2020)
def test_pages_of_the_2020_set_dated_right(key: str) -> None:
    gold = json.loads((EVAL_2020 / "gold.json").read_text(encoding="utf-8"))
    url, info = next((u, i) for u, i in gold.items() if key in u)
    html = lzma.decompress((EVAL_2020 / "pages" / info["file"]).read_bytes())
    fields = extract_fields(html, url, True, False, 250)
    page = Page(
        candidate=Candidate(canonical_url=url, url=url, origin="backfill"),
        final_url=url,
        html=html,
        fetched_at=datetime(2021, 1, 1),
    )
    published, _, evidence = page_date(page, fields["dates"])
    assert published is not None and published.date().isoformat() == info["date"], evidence
