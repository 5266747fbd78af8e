"""The batch loop the flows share: fetch, extract, judge, commit, one batch after another.

Monitor, backfill and replay differ only in where a batch comes from and how it is committed;
those parts are handed in (`Steps`), the stages are the same tasks for all. Orchestration only:
each stage is a task.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from config.settings import Settings
from tasks.assess import judge_batch_task
from tasks.extract import extract_pages_task
from tasks.fetch import fetch_pages_task
from tasks.load import Loaded
from tasks.records import Article, Assessed, Candidate, Failure, Page

Rejected = dict[str, tuple[str, str]]  # canonical URL -> (queue status, reason)


@dataclass(frozen=True, kw_only=True)
class Steps:
    """What a flow does with each batch beyond the shared stages."""

    commit: Callable[[list[Assessed], Rejected, list[Failure]], Loaded]
    count: Callable[[int, list[Failure], Loaded], None]  # pages read, failures, what landed
    place: Callable[[list[Article]], tuple[list[Article], Rejected]] | None = None
    done: Callable[[int], None] | None = None  # progress: inputs finished


def judge_and_commit(
    articles: list[Article], failures: list[Failure], settings: Settings, steps: Steps
) -> Loaded:
    """Return what the commit of one batch of extracted articles did (placed, judged, written)."""
    rejected: Rejected = {}
    if steps.place is not None:
        articles, rejected = steps.place(articles)
    judged = judge_batch_task(articles, settings)
    return steps.commit(judged, rejected, failures)


def load_pages(
    pages: list[Page], failures: list[Failure], settings: Settings, steps: Steps
) -> None:
    """Extract one batch of pages and commit it, counting what it did."""
    articles, extract_failures = extract_pages_task(pages, settings.extract)
    everything = failures + extract_failures
    steps.count(len(pages), everything, judge_and_commit(articles, everything, settings, steps))


def fetch_and_load(
    batches: Iterable[list[Candidate]],
    settings: Settings,
    steps: Steps,
    deadline: float | None = None,
) -> list[Candidate]:
    """Return the URLs left when the deadline (a time.monotonic() value) came; fetch each batch
    of URLs before it, extract, judge and commit it: the monitor's and backfill's loop."""
    left: list[Candidate] = []
    for batch in batches:
        if left or (deadline is not None and time.monotonic() >= deadline):
            left += batch  # committed batches stay; the rest is the next run's
            continue
        pages, failures = fetch_pages_task(batch, settings.fetch)
        load_pages(pages, failures, settings, steps)
        if steps.done is not None:
            steps.done(len(batch))
    return left
