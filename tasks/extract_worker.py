"""The part of extraction that runs in worker processes: trafilatura over one page.

Kept apart from tasks/extract.py so that a worker process imports trafilatura but not Prefect
(about 2 s of start-up per worker otherwise).
"""

from __future__ import annotations

import os
import signal
import sys

import py3langid
from trafilatura import bare_extraction
from trafilatura.utils import load_html

# htmldate's extensive search guesses a date from any dated link on the page (a "Most read"
# sidebar will do); a wrong date is worse than none, since the feed entry's date is the fallback.
DATE_PARAMS = {"extensive_search": False, "original_date": True}
LANGUAGE_SAMPLE_CHARS = 3000


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


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of the text's language, or None for too little text to tell."""
    # Pages often declare their site's language, not the article's, so the text decides.
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.strip()) < 20:
        return None
    return py3langid.classify(sample)[0]


def extract_fields(html: bytes, url: str, fast: bool, include_comments: bool) -> dict | None:
    """Return trafilatura's text and metadata for one page as a plain dict, or None if no text."""
    tree = load_html(html)
    if tree is None:
        return None
    declared = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].strip().lower()
    document = bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        fast=fast,
        include_comments=include_comments,
        date_extraction_params=DATE_PARAMS,
    )
    if document is None or not document.text:
        return None
    return {
        "text": document.text,
        "title": document.title,
        "author": document.author,
        "sitename": document.sitename,
        "language": detect_language(document.text) or declared or None,
        "date": document.date,
    }


def extract_job(job: tuple[bytes, str, bool, bool]) -> dict | None | str:
    """Return extract_fields(*job), or the error message if the extractor raised."""
    try:
        return extract_fields(*job)
    except Exception as exc:  # one bad page must not take the batch down
        return f"extractor error: {type(exc).__name__}: {exc}"
