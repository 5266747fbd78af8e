"""Extract article text and metadata with trafilatura, over the machine's cores."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Extract
from tasks.extract_worker import die_with_parent, extract_job
from tasks.records import Article, Failure, Page, parse_iso

_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def worker_count(extract: Extract) -> int:
    """Return the number of extraction processes to use."""
    return extract.workers or os.cpu_count() or 1


def _executor(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown()
        # spawn, not fork: the parent runs Prefect's threads, and forking a threaded process can
        # leave a child holding a lock nobody will release.
        _pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=die_with_parent
        )
        _pool_size = workers
    return _pool


@atexit.register
def _shutdown_pool() -> None:
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)


def _page_date(value: str | None) -> datetime | None:
    return parse_iso(value)


def to_article(page: Page, fields: dict) -> Article:
    """Return the article for a page and its extracted fields, dated by page, else by feed."""
    published = _page_date(fields["date"])
    date_source = "page"
    if published is None:
        published = page.candidate.published_at
        date_source = page.candidate.date_source if published is not None else "none"
    return Article(
        candidate=page.candidate,
        url=page.final_url,
        fetched_at=page.fetched_at,
        text=fields["text"],
        title=fields["title"] or page.candidate.title,
        author=fields["author"],
        sitename=fields["sitename"],
        language=fields["language"],
        published_at=published,
        date_source=date_source,
        raw_html=page.html,
    )


def extract_pages(pages: list[Page], extract: Extract) -> tuple[list[Article], list[Failure]]:
    """Return the articles extracted from the pages and the pages that gave none."""
    jobs = [(p.html, p.final_url, extract.fast, extract.include_comments) for p in pages]
    workers = worker_count(extract)
    if workers > 1 and len(jobs) > 1:
        # chunksize 1: pages vary 100x in cost, and bigger chunks left a core idle (bench/).
        results = list(_executor(workers).map(extract_job, jobs, chunksize=1))
    else:
        results = [extract_job(job) for job in jobs]
    articles, failures = [], []
    for page, fields in zip(pages, results, strict=True):
        if isinstance(fields, str):
            failures.append(Failure(candidate=page.candidate, stage="extract", reason=fields))
        elif fields is None or len(fields["text"]) < extract.min_text_chars:
            failures.append(
                Failure(candidate=page.candidate, stage="extract", reason="no article text found")
            )
        else:
            articles.append(to_article(page, fields))
    return articles, failures


extract_pages_task = task(extract_pages, name="extract-pages", cache_policy=NONE)
