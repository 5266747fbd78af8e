"""Tests of tasks/extract.py: text, title and dates from the newsroom's pages; failures; the pool."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from trafilatura.utils import load_html

import tasks.extract_worker as worker_module
from config import DEMO_CONFIG, load_settings
from config.settings import Extract
from tasks.extract import extract_pages, worker_count
from tasks.fetch import fetch_pages
from tasks.records import Article, Candidate, Page, utcnow
from tasks.urls import canonical_url

detect_language = worker_module.detect_language

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(DEMO_CONFIG)
# A date no page carries: where it shows up, the feed's date was used.
FEED_DATE = datetime(2000, 1, 2, 3, 4, 5)
# analysis.rdf dates the Arctic page (which carries no date itself) 2026-11-12 15:20 UTC.
ARCTIC_FEED_DATE = datetime(2026, 11, 12, 15, 20)


def extract_settings(workers: int = 1, **update) -> Extract:
    return SETTINGS.extract.model_copy(update={"workers": workers, **update})


def live_pages(expected: dict) -> list[dict]:
    return [p for p in expected["page"] if p["expect"] != "dead"]


@pytest.fixture(scope="module")
def pages(newsroom, expected: dict) -> dict[str, Page]:
    """Every live newsroom page fetched once, by path; each candidate carries a feed date."""
    candidates = []
    for spec in live_pages(expected):
        url = newsroom.base_url + spec["path"]
        feed_date = ARCTIC_FEED_DATE if spec["date_from"] == "feed" else FEED_DATE
        candidates.append(
            Candidate(
                canonical_url=canonical_url(url),
                url=url,
                origin="monitor",
                source="Newsroom",
                title="Feed title",
                published_at=feed_date,
            )
        )
    fetched, failures = fetch_pages(candidates, SETTINGS.fetch)
    assert failures == []
    return {page.final_url.removeprefix(newsroom.base_url): page for page in fetched}


@pytest.fixture(scope="module")
def articles(pages: dict[str, Page]) -> dict[str, Article]:
    """The pages extracted inline, by path."""
    extracted, failures = extract_pages(list(pages.values()), extract_settings(workers=1))
    assert failures == []
    by_url = {a.url: a for a in extracted}
    return {path: by_url[page.final_url] for path, page in pages.items()}


def test_every_live_page_gives_an_article(articles: dict, expected: dict) -> None:
    assert set(articles) == {p["path"] for p in live_pages(expected)}


@pytest.mark.parametrize("kind", ["stored", "duplicate", "irrelevant"])
def test_title_text_and_date(kind: str, articles: dict[str, Article], expected: dict) -> None:
    specs = [p for p in expected["page"] if p["expect"] == kind]
    assert specs
    for spec in specs:
        article = articles[spec["path"]]
        assert article.title and article.title != "Feed title", spec["path"]
        assert len(article.text) >= SETTINGS.extract.min_text_chars
        assert article.language == "en"
        assert article.date_source == spec["date_from"], spec["path"]
        assert article.published_at is not None
        assert article.published_at.date().isoformat() == spec["published"], spec["path"]
        assert article.candidate.canonical_url.endswith(spec["path"])


def test_page_date_wins_over_the_feed_date(articles: dict[str, Article], expected: dict) -> None:
    for spec in live_pages(expected):
        article = articles[spec["path"]]
        if spec["date_from"] == "page":
            assert article.published_at != FEED_DATE
            assert article.candidate.published_at == FEED_DATE
        else:
            assert article.published_at == ARCTIC_FEED_DATE


def test_sample_articles_without_boilerplate(articles: dict[str, Article], expected: dict) -> None:
    marker = expected["site"]["marker"]
    for spec in expected["page"]:
        if spec["expect"] != "stored":
            continue
        text = articles[spec["path"]].text
        assert marker.rstrip(".") in text
        for furniture in ("Most read", "Related stories", "cookie"):
            assert furniture.lower() not in text.lower(), (spec["path"], furniture)


def test_undated_page_without_feed_date(pages: dict[str, Page]) -> None:
    page = pages["/analysis/arctic-northern-sea-route-china-russia.html"]
    bare = Page(
        candidate=Candidate(
            canonical_url=page.candidate.canonical_url, url=page.candidate.url, origin="monitor"
        ),
        final_url=page.final_url,
        html=page.html,
        fetched_at=page.fetched_at,
    )
    articles, failures = extract_pages([bare], extract_settings())
    assert failures == []
    assert articles[0].published_at is None
    assert articles[0].date_source == "none"


def fake_page(html: bytes, name: str = "x") -> Page:
    url = f"http://news.example.com/{name}.html"
    candidate = Candidate(
        canonical_url=url, url=url, origin="monitor", source="Feed", title="Feed title"
    )
    return Page(candidate=candidate, final_url=url, html=html, fetched_at=utcnow())


SHORT_ARTICLE = (
    b"<html><head><title>Brief</title></head><body><article><h1>Brief</h1>"
    b"<p>Moscow and Beijing met on Tuesday to talk about trade.</p></article></body></html>"
)


@pytest.mark.parametrize(
    "html",
    [
        bytes(range(256)) * 8,
        b"",
        b"<html><head><title>Empty</title></head><body></body></html>",
        SHORT_ARTICLE,
    ],
    ids=["garbage", "no bytes", "empty page", "too short"],
)
def test_no_article_text(html: bytes) -> None:
    articles, failures = extract_pages([fake_page(html)], extract_settings())
    assert articles == []
    assert len(failures) == 1
    assert failures[0].stage == "extract"
    assert failures[0].reason == "no article text found"
    assert failures[0].transient is False


def test_min_text_chars_is_the_bar() -> None:
    articles, failures = extract_pages(
        [fake_page(SHORT_ARTICLE)], extract_settings(min_text_chars=20)
    )
    assert failures == []
    assert "Moscow and Beijing met on Tuesday" in articles[0].text
    assert articles[0].title == "Brief"


def test_extractor_error_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(worker_module, "extract_fields", boom)
    articles, failures = extract_pages([fake_page(SHORT_ARTICLE)], extract_settings())
    assert articles == []
    assert failures[0].reason == "extractor error: RuntimeError: boom"


def test_nothing_to_extract() -> None:
    assert extract_pages([], extract_settings(workers=2)) == ([], [])


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_count(extract_settings(workers=3)) == 3
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert worker_count(extract_settings(workers=0)) == 6  # 0: one per core
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert worker_count(extract_settings(workers=0)) == 1  # cores unknown: one


CHILDREN = """
import multiprocessing, sys
from pathlib import Path
from config import load_settings
from tasks.extract import extract_pages
from tasks.records import Candidate, Page, utcnow
settings = load_settings().extract.model_copy(update={"workers": int(sys.argv[1])})
pages = []
for html in sorted(Path("newsroom/site/world").rglob("*.html"))[:4]:
    url = "http://news.example.com/" + html.name
    candidate = Candidate(canonical_url=url, url=url, origin="monitor")
    pages.append(Page(candidate=candidate, final_url=url, html=html.read_bytes(), fetched_at=utcnow()))
articles, failures = extract_pages(pages, settings)
print(len(articles), len(failures), len(multiprocessing.active_children()))
"""


@pytest.mark.parametrize(("workers", "children"), [(1, 0), (2, 2)])
def test_one_worker_extracts_in_process_and_more_use_a_pool(workers: int, children: int) -> None:
    """Seen from outside: the processes a fresh interpreter has after extracting four pages."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", CHILDREN, str(workers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", "0", str(children)]


def test_pool_gives_the_same_articles(pages: dict[str, Page], articles: dict[str, Article]) -> None:
    garbage = fake_page(b"\x00\x01\x02 not html", "garbage")
    batch = [*pages.values(), garbage]
    pooled, failures = extract_pages(batch, extract_settings(workers=2))
    inline, _ = extract_pages(list(pages.values()), extract_settings(workers=1))
    assert pooled == [articles[path] for path in pages] == inline
    assert [f.candidate for f in failures] == [garbage.candidate]
    assert failures[0].reason == "no article text found"


# ---- language ----

LANGUAGE_SAMPLES = {
    "en": "Chinese leader Xi Jinping met Russian President Vladimir Putin in Moscow on Monday "
    "for talks on energy, trade and the war in Ukraine.",
    "ru": "Председатель КНР Си Цзиньпин встретился в понедельник в Москве с президентом России "
    "Владимиром Путиным для переговоров об энергетике и торговле.",
    "zh": "国家主席习近平星期一在莫斯科同俄罗斯总统普京举行会谈，双方讨论了能源和贸易合作。",
    "de": "Der chinesische Staatschef Xi Jinping hat am Montag in Moskau den russischen Präsidenten "
    "Wladimir Putin zu Gesprächen über Energie und Handel getroffen.",
    "fr": "Le dirigeant chinois Xi Jinping a rencontré lundi à Moscou le président russe Vladimir "
    "Poutine pour des entretiens sur l'énergie et le commerce.",
}


@pytest.mark.parametrize("language", list(LANGUAGE_SAMPLES))
def test_detect_language(language: str) -> None:
    assert detect_language(LANGUAGE_SAMPLES[language]) == language


def test_detect_language_needs_some_text() -> None:
    assert detect_language("") is None
    assert detect_language("   Moscou.   \n  ") is None


def test_detect_language_reads_the_start_of_the_text() -> None:
    """Only the first LANGUAGE_SAMPLE_CHARS decide (a long article is not read to its end)."""
    english = (LANGUAGE_SAMPLES["en"] + " ") * 40
    assert len(english) > worker_module.LANGUAGE_SAMPLE_CHARS
    assert detect_language(english + LANGUAGE_SAMPLES["ru"] * 100) == "en"


def page_in(lang: str, text: str, headline: str = "Gipfel in Moskau") -> bytes:
    return (
        f'<html lang="{lang}"><head><title>{headline}</title></head><body><article>'
        f"<h1>{headline}</h1><p>{text}</p></article></body></html>"
    ).encode()


def test_language_is_the_detected_one_not_the_declared_one() -> None:
    """A site declaring English for every page still gives a German article 'de'."""
    html = page_in("en", LANGUAGE_SAMPLES["de"])
    articles, failures = extract_pages([fake_page(html)], extract_settings(min_text_chars=20))
    assert failures == []
    assert articles[0].language == "de"


def test_declared_language_is_the_fallback() -> None:
    html = page_in("fr-FR", "Moscou.", headline="Brief")
    fields = worker_module.extract_fields(html, "http://news.example.com/x.html", True, False)
    assert fields is not None and detect_language(fields["text"]) is None
    assert fields["language"] == "fr"
    undeclared = html.replace(b' lang="fr-FR"', b"")
    fields = worker_module.extract_fields(undeclared, "http://news.example.com/x.html", True, False)
    assert fields is not None and fields["language"] is None


DATED_BRIEF = (
    b"<html><head><title>Brief</title>"
    b'<meta property="article:published_time" content="2024-03-05T09:00:00+00:00">'
    b"</head><body><h1>Brief</h1><p>Moscow and Beijing met.</p></body></html>"
)


def test_a_page_too_short_to_store_still_has_its_date() -> None:
    fields = worker_module.extract_fields(
        DATED_BRIEF, "http://news.example.com/x.html", True, False
    )
    assert fields is not None and len(fields["text"]) < SETTINGS.extract.min_text_chars
    assert fields["dates"]["metadata"] == "2024-03-05"
    articles, failures = extract_pages([fake_page(DATED_BRIEF)], extract_settings())
    assert (articles, failures[0].reason) == ([], "no article text found")


def test_without_a_second_try_the_fast_pass_is_trafilaturas_balanced_one() -> None:
    html = (ROOT / "newsroom").glob("site/**/*.html").__next__().read_bytes()
    url = "http://news.example.com/y.html"
    balanced = worker_module._text(worker_module._extract(load_html(html), url, True, False))
    assert worker_module.extract_fields(html, url, True, False, 0)["text"] == balanced


STANDFIRST = (
    "The first container train left Harbin on Tuesday for Vladivostok, carrying machine parts "
    "and textiles for the markets of the Russian Far East. Part {}."
)
STORY = [
    "Officials from both countries said the route would cut the journey time for goods heading "
    "to the Pacific coast by almost two days.",
    "Freight operators expect between eight and ten trains a week by the summer, depending on "
    "the speed of customs checks at the two terminals.",
]


def _bordered_page(standfirst: int, story: int) -> bytes:
    """Return a page of `standfirst` paragraphs and `story` more in a bordered container, which
    trafilatura's precision pass prunes as furniture and its precise pass keeps."""
    lead = "".join(f"<p>{STANDFIRST.format(i)}</p>" for i in range(standfirst))
    body = "".join(f"<p>{paragraph}</p>" for paragraph in STORY[:story])
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Rail freight link opens | Border Post</title></head><body>"
        "<div id='top'><a href='/'>Home</a> | <a href='/world'>World</a></div>"
        f"<article><h1>Rail freight link opens</h1>{lead}"
        f"<div class='story-body' style='border-top: 1px solid #ccc'>{body}</div></article>"
        "<div id='footer'><p>Contact us</p><p>Copyright 2024 Border Post</p></div></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("standfirst", "story", "gain", "kept"),
    [
        (1, 1, (1.5, 2.0), True),  # 1.75 times the text: the second pass's text is kept
        (3, 2, (1.5, 1.6), True),  # 1.57 times
        (2, 1, (1.3, 1.5), False),  # 1.40 times: not enough, the first pass's text stays
        (3, 1, (1.2, 1.5), False),  # 1.28 times
    ],
)
def test_second_try_needs_half_as_much_text_again(
    standfirst: int, story: int, gain: tuple[float, float], kept: bool
) -> None:
    """A short first pass is tried again; the second pass's text is kept only when it finds at
    least 1.5 times as much."""
    html, url = _bordered_page(standfirst, story), "http://news.example.com/rail.html"
    retry_below = SETTINGS.extract.retry_below_chars
    tree = load_html(html)
    first = worker_module._text(worker_module._extract(tree, url, True, False, precision=True))
    second = worker_module._text(worker_module._extract(tree, url, False, False))
    # The page is what it says: a first pass short enough to be tried again, the story
    # paragraphs found by the second pass alone, in the proportion stated.
    assert len(first) < retry_below
    assert not any(p in first for p in STORY) and all(p in second for p in STORY[:story])
    assert gain[0] <= len(second) / len(first) < gain[1]
    text = worker_module.extract_fields(html, url, True, False, retry_below)["text"]
    assert text == (second if kept else first)
    assert all((p in text) == kept for p in STORY[:story])


SECOND_TRY_PAGES = sorted((ROOT / "tests" / "fixtures" / "extract").glob("*.html"))


@pytest.mark.parametrize("path", SECOND_TRY_PAGES, ids=lambda path: path.stem)
def test_second_try_on_pages_that_carry_their_expectation(path: Path) -> None:
    """Each page marks its story (data-expect="text") and its furniture ("boilerplate") and
    says whether the second try runs and wins; the configured threshold is used."""
    html = path.read_bytes()
    tree = load_html(html)
    marked = {
        kind: [
            " ".join(e.text_content().split()) for e in tree.xpath(f'//*[@data-expect="{kind}"]')
        ]
        for kind in ("text", "boilerplate")
    }
    outcome = tree.xpath('string(//meta[@name="sinorus-second-try"]/@content)')
    assert marked["text"] and outcome in ("wins", "loses", "not run")
    url = "http://news.example.com/z.html"
    retry_below = SETTINGS.extract.retry_below_chars
    first = worker_module._text(worker_module._extract(tree, url, True, False, precision=True))
    fields = worker_module.extract_fields(html, url, True, False, retry_below)
    text = " ".join(fields["text"].split())
    assert (len(first) < retry_below) == (outcome != "not run")
    assert (fields["text"] != first) == (outcome == "wins")
    for paragraph in marked["text"]:
        assert paragraph in text
    for paragraph in marked["boilerplate"]:
        assert paragraph not in text


def test_the_warm_up_page_takes_the_paths_a_first_page_would() -> None:
    """warm_up (each pool worker's start) must reach both passes and every date witness, or the
    first real page still pays for what was left cold."""
    url = "https://warm-up.invalid/2024/01/02/page"
    fields = worker_module.extract_fields(worker_module.WARM_PAGE, url, True, False, 500)
    assert fields is not None and fields["language"] == "en"
    assert 0 < len(fields["text"]) < 500  # short: the second, precise pass runs too
    assert {k for k, v in fields["dates"].items() if v} == {"url", "headline", "metadata"}
    worker_module.warm_up()
