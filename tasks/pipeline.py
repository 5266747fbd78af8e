"""The stage order, written once: fetch → extract → judge → commit, overlapped across batches.

Every run goes through it. Where a batch comes from is the caller's (a page source): URLs to fetch
from the web (monitor, backfill), or pages and articles already stored (replay,
tasks/lake_source.py), which start at extraction or at judging. Where a judged batch goes is a sink
(tasks/sinks.py): stored as new, stored with its queue statuses, or rewritten. The stages are the
plain functions here; the flows hand in their Prefect tasks (flows/stages.py). Extraction and
judging are CPU work done in the warm process pool (tasks/extract.py); the commit runs in the
caller's thread, in batch order, one at a time (tasks/overlap.py).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Extract, Fetch, Settings
from tasks.assess import judge_batch
from tasks.extract import extract_pages, warm_pool, worker_count
from tasks.fetch import fetch_pages
from tasks.load import Loaded
from tasks.overlap import DEPTH, run_stages
from tasks.records import Article, Assessed, Candidate, Failure, Page
from tasks.summary import RunSummary

__all__ = ["DEPTH", "Batch", "Progress", "Rejected", "Sink", "Stages", "run_batches"]

Rejected = dict[str, tuple[str, str]]  # canonical URL -> (queue status, reason)

log = logging.getLogger("sinorus.pipeline")
_heap_frozen = False


@dataclass
class Batch:
    """One batch on its way through the stages: what its source gave, and what each stage made.

    A source gives URLs to fetch (`pages` and `articles` None), pages to extract (`articles`
    None) or articles to judge; each stage fills in what the next one reads.
    """

    urls: list[Candidate]  # what the batch stands for: left for the next run if it fails
    pages: list[Page] | None = None
    articles: list[Article] | None = None
    was_relevant: dict[str, bool] = field(default_factory=dict)  # stored articles: before
    read: int = 0  # pages fetched
    failures: list[Failure] = field(default_factory=list)
    rejected: Rejected = field(default_factory=dict)
    judged: list[Assessed] = field(default_factory=list)

    @classmethod
    def of(cls, item: Batch | list[Candidate]) -> Batch:
        """Return the item as a batch: a list of candidates is a batch of URLs to fetch."""
        return item if isinstance(item, Batch) else cls(urls=item)


class Sink(Protocol):
    """Where judged batches go: the commit a flow chooses (tasks/sinks.py), and how it counts."""

    def admit(self, articles: list[Article]) -> tuple[list[Article], Rejected]:
        """Return the articles to judge, and why the others are not (by canonical URL)."""
        ...

    def commit(self, batch: Batch, settings: Settings) -> Loaded:
        """Return what the commit of the judged batch did (one snapshot)."""
        ...

    def count(self, summary: RunSummary, batch: Batch, loaded: Loaded) -> None:
        """Count a committed batch in the run's summary."""
        ...


class Progress(Protocol):
    """Told how many of a run's URLs each batch finished (tasks/progress.Tracker)."""

    def advance(self, step: int) -> None: ...


def commit_batch(sink: Sink, batch: Batch, settings: Settings) -> Loaded:
    """Return what the sink's commit of the judged batch did."""
    return sink.commit(batch, settings)


commit_batch_task = task(commit_batch, name="commit-batch", cache_policy=NONE)


@dataclass(frozen=True, kw_only=True)
class Stages:
    """The stage functions: the plain ones here, their Prefect tasks in flows/stages.py."""

    fetch: Callable[[list[Candidate], Fetch], tuple[list[Page], list[Failure]]] = fetch_pages
    extract: Callable[[list[Page], Extract], tuple[list[Article], list[Failure]]] = extract_pages
    judge: Callable[[list[Article], Settings, int], list[Assessed]] = judge_batch
    commit: Callable[[Sink, Batch, Settings], Loaded] = commit_batch


def run_batches(
    source: Iterable[Batch | list[Candidate]],
    sink: Sink,
    settings: Settings,
    summary: RunSummary,
    *,
    stages: Stages = Stages(),  # noqa: B008 (frozen, never mutated)
    progress: Progress | None = None,
    deadline: float | None = None,
    depth: int = DEPTH,
) -> list[Candidate]:
    """Return the URLs left: those of batches not taken before the deadline (a CLOCK.monotonic()
    value) and those of batches that failed; take every other batch of the source through the
    stages into the sink, counting it in `summary` (`depth` 0: one batch after another).
    """
    _freeze_heap()
    workers = worker_count(settings.extract)
    warm_pool(workers)  # the workers start while the first batch is fetched

    def fetch(batch: Batch) -> Batch:
        if batch.pages is None and batch.articles is None:
            batch.pages, batch.failures = stages.fetch(batch.urls, settings.fetch)
            batch.read = len(batch.pages)
        return batch

    def extract(batch: Batch) -> Batch:
        if batch.articles is None:
            batch.articles, failures = stages.extract(batch.pages or [], settings.extract)
            batch.pages = []  # the articles keep what the commit needs of the HTML
            batch.failures = batch.failures + failures
        return batch

    def judge(batch: Batch) -> Batch:
        batch.articles, batch.rejected = sink.admit(batch.articles or [])
        batch.judged = stages.judge(batch.articles, settings, workers)
        return batch

    def commit(batch: Batch) -> None:
        sink.count(summary, batch, stages.commit(sink, batch, settings))
        if progress is not None:
            progress.advance(len(batch.urls))

    def report(batch: Batch, error: BaseException) -> None:
        _log_failure(batch.urls, error)
        summary.add_failed_batch(len(batch.urls), error)
        if progress is not None:
            progress.advance(len(batch.urls))

    untaken, failed = run_stages(
        map(Batch.of, source),
        [fetch, extract, judge],
        commit,
        depth=depth,
        deadline=deadline,
        on_error=report,
    )
    return [c for batch in failed + untaken for c in batch.urls]


def _freeze_heap() -> None:
    """Put what the process holds before its first run (modules, Prefect, settings) out of the
    cyclic collector's sight, once per process.

    Each full collection walks every object the imports made: in a 362-page run
    (bench/throughput.py) two of them took 0.2 s of the main process, ~0.5 ms a page, holding
    the GIL and so every stage's thread meanwhile; frozen, 0.02 s. Reference counting still frees
    what is frozen; only cycles among it stay: start-up's few, once. (Collecting first would free
    those, at 0.2 s a run: the whole cost of a run that finds nothing new, for little memory.)
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


def _log_failure(urls: list[Candidate], error: BaseException) -> None:
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        logger: logging.Logger | logging.LoggerAdapter = get_run_logger()
    except MissingContextError:  # called outside a flow run
        logger = log
    logger.error(
        "A batch of %d URLs failed and is left for the next run: %s: %s",
        len(urls),
        type(error).__name__,
        error,
        exc_info=error,
    )
