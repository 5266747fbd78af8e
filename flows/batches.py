"""The batch loop the flows share: fetch, extract, judge, commit, overlapped across batches.

Monitor, backfill and replay differ only in where a batch comes from and how it is committed;
those parts are handed in (`Steps`). Orchestration only: the overlap lives in tasks/pipeline.py,
and each stage of a batch is one task run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger
from prefect.utilities.annotations import quote

from config.settings import Settings
from tasks.assess import judge_batch_task
from tasks.extract import extract_pages_task, worker_count
from tasks.fetch import fetch_pages_task
from tasks.load import Loaded
from tasks.pipeline import DEPTH, Rejected, Stages, Steps, load_batches
from tasks.records import Article, Candidate, Failure, Page

__all__ = ["Rejected", "Steps", "fetch_and_load", "judge_and_commit", "load_pages", "quoted"]

T = TypeVar("T")


def quoted(task: Callable[..., T]) -> Callable[..., T]:
    """Return a call of the task with its arguments quoted, which Prefect passes on as they are.

    Unquoted, Prefect walks every argument twice per task run, into each page, article and
    field, looking for futures to wait for (there are none here): `sinorus run` over 362 pages of
    the throughput benchmark used 14.2 s of CPU in its own process with the batches walked, 11.4 s
    without (the plain pipeline: 2.7 s).
    """

    def call(*args: object) -> T:
        return task(*(quote(arg) for arg in args))

    return call


TASKS = Stages(
    fetch=quoted(fetch_pages_task),
    extract=quoted(extract_pages_task),
    judge=quoted(judge_batch_task),
)


def judge_and_commit(
    articles: list[Article], failures: list[Failure], settings: Settings, steps: Steps
) -> Loaded:
    """Return what the commit of one batch of extracted articles did (placed, judged, written)."""
    rejected: Rejected = {}
    if steps.place is not None:
        articles, rejected = steps.place(articles)
    judged = quoted(judge_batch_task)(articles, settings, worker_count(settings.extract))
    return steps.commit(judged, rejected, failures)


def load_pages(
    pages: list[Page], failures: list[Failure], settings: Settings, steps: Steps
) -> None:
    """Extract one batch of pages and commit it, counting what it did."""
    articles, extract_failures = quoted(extract_pages_task)(pages, settings.extract)
    everything = failures + extract_failures
    steps.count(len(pages), everything, judge_and_commit(articles, everything, settings, steps))


def _report(candidates: list[Candidate], error: BaseException) -> None:
    try:
        logger = get_run_logger()
    except MissingContextError:  # called outside a flow run
        logger = logging.getLogger("sinorus")
    logger.error(
        "A batch of %d URLs failed and is left for the next run: %s: %s",
        len(candidates),
        type(error).__name__,
        error,
        exc_info=error,
    )


def fetch_and_load(
    batches: Iterable[list[Candidate]],
    settings: Settings,
    steps: Steps,
    deadline: float | None = None,
    depth: int = DEPTH,
) -> list[Candidate]:
    """Return the URLs left when the deadline (a CLOCK.monotonic() value) came, and those of
    batches that failed; fetch, extract, judge and commit every batch taken before it (`depth`
    0: one batch after another): the monitor's and backfill's loop."""
    return load_batches(
        batches,
        settings,
        steps,
        stages=TASKS,
        deadline=deadline,
        depth=depth,
        on_error=_report,
    )
