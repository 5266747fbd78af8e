"""What runs in the pool's worker processes: trafilatura over one page, the page compressed as
raw_pages keeps it (and read back: `stored_html`), and judging articles (relevance, keyword
mentions, story terms, fingerprint).

Kept apart from tasks/extract.py and tasks/assess.py so that a worker process imports trafilatura
and the judges but not Prefect (about 2 s of start-up per worker otherwise).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import zlib
from datetime import timedelta

import py3langid
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Document
from trafilatura.utils import load_html
from zstandard import ZstdCompressor, ZstdDecompressor

from config.settings import Settings
from tasks.dates import read_page, witnesses
from tasks.dedup import fingerprint
from tasks.emerging import story_terms
from tasks.event_signals import EventSignals, event_signals
from tasks.keywords import count_keywords
from tasks.records import Article, Assessed, utcnow
from tasks.relevance import judge

# trafilatura's date is the page's metadata witness: header markup before the URL (the URL is a
# witness of its own), no guessing from dated links (htmldate's extensive search is the last
# witness, read only when no better one is there). tasks/dates.py chooses among them.
DATE_PARAMS = {"extensive_search": False, "original_date": True, "deferred_url_extractor": True}
# py3langid's time grows with the sample: 1.34 ms a page at 3,000 characters, 0.87 at 2,000, which
# chose the same language as 3,000 on all 972 texts of the ScrapingHub and htmldate pages (1,500 and
# 1,000 each differed once).
LANGUAGE_SAMPLE_CHARS = 2000
# The second try replaces a short first text only when it is this much longer (trafilatura's own
# bar for its recall retry): a little more is mostly the boilerplate precision cut on purpose.
RETRY_GAIN = 1.5
# The page kept in raw_pages (read back by replay --html) is compressed here in the worker rather
# than at commit, where zlib held the main process (and its GIL) ~3 ms a page. zstd level 3: 0.42 ms
# a page for a 5.1x smaller page, against zlib level 3's 1.28 ms for 4.5x (181 real news pages;
# docs/decisions.md).
HTML_ZSTD_LEVEL = 3
_compressors = threading.local()  # a zstd context serves one thread at a time


def die_with_parent() -> None:
    """Pool initializer: the kernel kills this worker when the run that started it dies (Linux).

    Without it, a run killed with SIGKILL left its extraction workers, and the resource tracker
    they keep alive, re-parented to init.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the run died while this worker was starting: too late for the signal
        os._exit(1)


# A short page, so that both extraction passes run, dated by every witness: for warm_up.
WARM_PAGE = b"""<html lang="en"><head><title>Warm-up</title>
<meta property="article:published_time" content="2024-01-02T10:00:00Z"></head>
<body><article><h1>Warm-up</h1><time datetime="2024-01-02">2 January 2024</time>
<p>A short paragraph that starts the extractor and the language model.</p></article></body></html>"""
WARM_TEXT = "The pool's workers load the language model once, before the first page."


def warm_up() -> None:
    """Load what the first page of each worker would otherwise pay for (~0.65 s: py3langid's
    model, trafilatura's and htmldate's lazy set-up), so that it is part of the pool's start.

    Not the event encoder (~2.2 s CPU a process): only a relevant article needs it, and most runs
    of a world-news feed mix have none; the first relevant article a worker judges loads it."""
    try:
        detect_language(WARM_TEXT)
        extract_fields(WARM_PAGE, "https://warm-up.invalid/2024/01/02/page", True, False, 500)
    except Exception:  # a worker that could not warm up still works, only its first page is slower
        return


def start_worker() -> None:
    """Pool initializer: die with the run (die_with_parent), then warm_up."""
    die_with_parent()
    warm_up()


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of the text's language, or None for too little text to tell."""
    # Pages often declare their site's language, not the article's, so the text decides.
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.strip()) < 20:
        return None
    return py3langid.classify(sample)[0]


def _extract(
    tree: HtmlElement, url: str, fast: bool, include_comments: bool, precision: bool = False
) -> Document | None:
    """Return trafilatura's document for a parsed page (None: no text); the tree is left as is."""
    return bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        fast=fast,
        favor_precision=precision,
        include_comments=include_comments,
        date_extraction_params=DATE_PARAMS,
    )


def _text(document: Document | None) -> str:
    """Return the document's text ("" for no document)."""
    return (document.text or "") if document is not None else ""


def _extract_text(
    tree: HtmlElement, url: str, fast: bool, include_comments: bool, retry_below: int
) -> Document | None:
    """Return the document kept for the page: fast mode's precision-first pass, or below
    retry_below characters a precise pass that finds RETRY_GAIN times more text."""
    if not fast:
        return _extract(tree, url, False, include_comments)
    # Precision first only when a second try can win back what it cuts: alone it loses whole
    # bodies (a bordered or "bottom" container), but such losses leave a short text.
    first = _extract(tree, url, True, include_comments, precision=retry_below > 0)
    if len(_text(first)) >= retry_below:
        return first
    # Fast mode has no fallback; the precise pass adds trafilatura's readability and jusText
    # comparisons (and, balanced, keeps what precision pruned).
    second = _extract(tree, url, False, include_comments)
    return second if len(_text(second)) > RETRY_GAIN * len(_text(first)) else first


def extract_fields(
    html: bytes, url: str, fast: bool, include_comments: bool, retry_below: int = 0
) -> dict | None:
    """Return trafilatura's text, metadata and date witnesses for one page as a plain dict (the
    text may be empty: the page still has a date), or None if it is no HTML."""
    tree = load_html(html)
    if tree is None:
        return None
    declared = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].strip().lower()
    # The witnesses read the whole page, before any extraction pass.
    latest = utcnow() + timedelta(days=1)
    seen = read_page(tree, url, latest)
    document = _extract_text(tree, url, fast, include_comments, retry_below)
    text = _text(document)
    if document is not None:
        metadata = document.date
    else:  # no text at all: the page's markup still dates it
        metadata = find_date(load_html(html), url=url, **DATE_PARAMS)
    dates = witnesses(seen, metadata)
    if not any(dates.values()):  # the guess is dear and only ever needed when nothing else is
        dates["extensive"] = find_date(load_html(html), extensive_search=True, original_date=True)
    return {
        "text": text,
        "title": document.title if document is not None else None,
        "author": document.author if document is not None else None,
        "sitename": document.sitename if document is not None else None,
        "language": (detect_language(text) if text else None) or declared or None,
        "dates": dates,
    }


def extract_job(job: tuple[bytes, str, bool, bool, int]) -> dict | None | str:
    """Return extract_fields(*job) with the page compressed ("html_zstd") if it has text, or the
    error message if the extractor raised."""
    try:
        fields = extract_fields(*job)
    except Exception as exc:  # one bad page must not take the batch down
        return f"extractor error: {type(exc).__name__}: {exc}"
    # Only an article's page is stored; the compressed copy crosses back instead of the whole one.
    if fields is not None and fields["text"]:
        fields["html_zstd"] = compress_html(job[0])
    return fields


def compress_html(html: bytes) -> bytes:
    """Return the page as raw_pages keeps it: one zstd frame (its size written in it)."""
    compressor = getattr(_compressors, "zstd", None)
    if compressor is None:
        compressor = _compressors.zstd = ZstdCompressor(level=HTML_ZSTD_LEVEL)
    return compressor.compress(html)


def stored_html(row: dict) -> bytes:
    """Return a raw_pages row's page as fetched: its zstd copy, or an older row's zlib one."""
    if row["html_zstd"] is not None:
        return ZstdDecompressor().decompress(row["html_zstd"])
    return zlib.decompress(row["html_zlib"])


def ready() -> bool:
    """Return True: a job that only makes the pool start a worker."""
    return True


def article_signals(article: Article) -> EventSignals:
    """Return the article's event signals, dated by its publication (else its fetch) time."""
    return event_signals(
        article.candidate.canonical_url,
        article.title,
        article.text,
        article.language or "und",
        article.published_at or article.fetched_at,
    )


def judge_article(article: Article, settings: Settings) -> Assessed:
    """Return the article with its relevance, keyword mentions, terms and event signals (if
    relevant) and fingerprint (no duplicate yet)."""
    relevance = judge(article.title, article.text, settings.topic)
    return Assessed(
        article=article,
        relevance=relevance,
        terms=(
            story_terms(article.title, article.text, article.language) if relevance.relevant else ()
        ),
        mentions=count_keywords(article.title, article.text, settings.keywords),
        fingerprint=fingerprint(
            article.text,
            article.title,
            article.candidate.source,
            article.published_at,
            settings.dedup,
        ),
        duplicate=None,
        # the encoder's ~11 ms is paid by relevant articles only
        signals=article_signals(article) if relevance.relevant else None,
    )


def judge_job(job: tuple[list[Article], Settings]) -> list[Assessed]:
    """Return the job's articles judged, in order (a few articles per job: the settings travel
    with each job)."""
    articles, settings = job
    return [judge_article(article, settings) for article in articles]
