"""Extract article text and metadata with trafilatura, over the machine's cores.

The process pool is made once per process and kept warm for every batch and run in it (spawning
its workers costs ~1-2 s); tasks/assess.py judges articles in the same pool.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import datetime
from itertools import islice
from typing import Any

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Extract
from tasks.dates import choose_date
from tasks.extract_worker import extract_job, ready, start_worker
from tasks.records import Article, DateSource, Failure, Page

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
IN_FLIGHT = 2  # jobs of one pool_map in the pool per worker: one running, one ready to start


def worker_count(extract: Extract) -> int:
    """Return the number of extraction processes to use."""
    return extract.workers or os.cpu_count() or 1


def _executor(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    # A worker killed by the kernel (a page that crashed lxml, the OOM killer) breaks the pool
    # for good: the next batch gets a new one rather than failing too.
    if _pool is None or _pool_size != workers or getattr(_pool, "_broken", False):
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        # spawn, not fork: the parent runs Prefect's threads, and forking a threaded process can
        # leave a child holding a lock nobody will release.
        _pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker
        )
        _pool_size = workers
    return _pool


def warm_pool(workers: int) -> list[Future]:
    """Return futures that resolve when each of the pool's workers is up (none for one worker).

    A run calls it before its first fetch, so that the workers' start (importing trafilatura,
    then warm_up) overlaps the fetch instead of delaying the first extraction.
    """
    if workers <= 1:
        return []
    pool = _executor(workers)
    return [pool.submit(ready) for _ in range(workers)]


def pool_map(function: Callable[[Any], Any], jobs: Iterable[Any], workers: int) -> list[Any]:
    """Return [function(job) for job in jobs], run in the warm pool when `workers` > 1."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        return [function(job) for job in jobs]
    # One job at a time (pages vary 100x in cost: bigger chunks left a core idle), and only a few
    # in the pool at once: the pool runs jobs in the order they came, and the judging of one batch,
    # sent from another stage's thread, waited behind the whole of the next batch's pages, which
    # held up its commit until the pool had nothing left to overlap it with (bench/throughput.py).
    pool = _executor(workers)
    results: list[Any] = [None] * len(jobs)
    waiting = iter(enumerate(jobs))
    running = {pool.submit(function, job): i for i, job in islice(waiting, IN_FLIGHT * workers)}
    try:
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
                running.update((pool.submit(function, job), i) for i, job in islice(waiting, 1))
    finally:
        for future in running:  # a job raised: the rest of the batch is not worth running
            future.cancel()
    return results


@atexit.register
def _shutdown_pool() -> None:
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)


def page_date(page: Page, dates: dict) -> tuple[datetime | None, DateSource, dict]:
    """Return (publication time, date_source, evidence) for a page from its witnesses (the
    worker's `dates`) and its listing's date."""
    return choose_date(
        fetched_at=page.fetched_at,
        url=dates.get("url"),
        headline=dates.get("headline"),
        metadata=dates.get("metadata"),
        listing=page.candidate.published_at,
        listing_source=page.candidate.date_source,
        extensive=dates.get("extensive"),
    )


def to_article(page: Page, fields: dict) -> Article:
    """Return the article for a page and its extracted fields, dated by every witness."""
    published, date_source, _ = page_date(page, fields["dates"])
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
        html_zstd=fields.get("html_zstd"),
    )


def extract_pages(pages: list[Page], extract: Extract) -> tuple[list[Article], list[Failure]]:
    """Return the articles extracted from the pages and the pages that gave none."""
    jobs = [
        (p.html, p.final_url, extract.fast, extract.include_comments, extract.retry_below_chars)
        for p in pages
    ]
    results = pool_map(extract_job, jobs, worker_count(extract))
    articles, failures = [], []
    for page, fields in zip(pages, results, strict=True):
        if isinstance(fields, str):
            failures.append(Failure(candidate=page.candidate, stage="extract", reason=fields))
        elif fields is None:
            failures.append(
                Failure(candidate=page.candidate, stage="extract", reason="no article text found")
            )
        elif len(fields["text"]) < extract.min_text_chars:
            # No article, but the witnesses dated the page all the same: the failure keeps the
            # date (and no date_source without one: 'none' would say nothing more than null).
            published, date_source, _ = page_date(page, fields["dates"])
            failures.append(
                Failure(
                    candidate=page.candidate,
                    stage="extract",
                    reason="no article text found",
                    published_at=published,
                    date_source=date_source if published is not None else None,
                )
            )
        else:
            articles.append(to_article(page, fields))
    return articles, failures


extract_pages_task = task(extract_pages, name="extract-pages", cache_policy=NONE)
