"""The batch pipeline: fetch, extract, judge and commit, overlapped across batches.

Each stage runs in its own thread and hands its batch to the next through a bounded queue, so
batch n+1 is fetched while batch n is extracted and batch n-1 is judged and committed, and no more
than a few batches are in memory however many a run has. Extraction and judging are CPU work done
in the warm process pool (tasks/extract.py); the commit runs in the caller's thread, in batch
order, one at a time. `depth=0` runs the same stages one after the other in the caller's thread.

Monitor, backfill and replay differ only in where a batch comes from and how it is committed;
those parts are handed in (`Steps`).
"""

from __future__ import annotations

import contextvars
import gc
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.settings import Extract, Fetch, Settings
from tasks.assess import judge_batch
from tasks.clock import CLOCK, Clock
from tasks.extract import extract_pages, warm_pool, worker_count
from tasks.fetch import fetch_pages
from tasks.load import Loaded
from tasks.records import Article, Assessed, Candidate, Failure, Page

Rejected = dict[str, tuple[str, str]]  # canonical URL -> (queue status, reason)

# Batches waiting between two stages. One keeps every stage busy (each stage takes about as long
# as the next, bar extraction) while holding at most ~2 batches per stage in memory.
DEPTH = 1
_POLL = 0.1  # seconds between checks of the stop flag while a queue is full or empty

log = logging.getLogger("sinorus.pipeline")
_heap_frozen = False


@dataclass(frozen=True, kw_only=True)
class Steps:
    """What a flow does with each batch beyond the shared stages."""

    commit: Callable[[list[Assessed], Rejected, list[Failure]], Loaded]
    count: Callable[[int, list[Failure], Loaded], None]  # pages read, failures, what landed
    place: Callable[[list[Article]], tuple[list[Article], Rejected]] | None = None
    done: Callable[[int], None] | None = None  # progress: inputs finished
    failed: Callable[[int, BaseException], None] | None = None  # a batch's URLs, and why


@dataclass(frozen=True, kw_only=True)
class Stages:
    """The stage functions: the plain ones here, their Prefect tasks in flows/batches.py."""

    fetch: Callable[[list[Candidate], Fetch], tuple[list[Page], list[Failure]]] = fetch_pages
    extract: Callable[[list[Page], Extract], tuple[list[Article], list[Failure]]] = extract_pages
    judge: Callable[[list[Article], Settings, int], list[Assessed]] = judge_batch


@dataclass
class Batch:
    """One batch on its way through the stages."""

    candidates: list[Candidate]
    pages: list[Page] = field(default_factory=list)
    read: int = 0  # pages fetched
    failures: list[Failure] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    rejected: Rejected = field(default_factory=dict)
    judged: list[Assessed] = field(default_factory=list)


class _Failed:
    """A batch whose stage raised: passed on untouched to the caller, which reports it."""

    def __init__(self, batch: Any, error: BaseException) -> None:
        self.batch, self.error = batch, error


_END = object()


def run_stages(
    batches: Iterable[Any],
    stages: Sequence[Callable[[Any], Any]],
    finish: Callable[[Any], None],
    *,
    depth: int = DEPTH,
    deadline: float | None = None,
    on_error: Callable[[Any, BaseException], None] | None = None,
    clock: Clock = CLOCK,
) -> tuple[list[Any], list[Any]]:
    """Return (batches not taken, batches that failed), after running each batch taken through
    the stages and `finish` (in the caller's thread, in order).

    A batch is taken only before `deadline` (a `clock.monotonic()` value); once one is not, none
    after it is. A stage or `finish` that raises fails that batch alone: `on_error(batch, error)`
    is told and the others go on. With `depth` 0 everything runs in the caller's thread.
    """
    untaken: list[Any] = []
    failed: list[Any] = []

    def take(items: Iterable[Any]) -> Iterable[Any]:
        for batch in items:
            if untaken or (deadline is not None and clock.monotonic() >= deadline):
                untaken.append(batch)  # committed batches stay; the rest is the next run's
            else:
                yield batch

    def settle(item: Any, original: Any) -> None:
        if not isinstance(item, _Failed):
            try:
                finish(item)
                return
            except Exception as exc:
                item = _Failed(original, exc)
        failed.append(item.batch)
        if on_error is not None:
            on_error(item.batch, item.error)

    if depth <= 0:
        for batch in take(batches):
            settle(_through(batch, stages), batch)
        return untaken, failed

    stop = threading.Event()
    links = [queue.Queue(maxsize=depth) for _ in stages]
    sources = [((b, b) for b in take(batches)), *(_drain(link, stop) for link in links[:-1])]
    threads = [
        # Each thread runs in a copy of the caller's context, so that a Prefect task called in
        # it belongs to the caller's flow run (as Prefect's own thread pool does it).
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(_stage_loop, source, stage, link, stop),
            name=f"sinorus-stage-{i}",
            daemon=True,
        )
        for i, (source, stage, link) in enumerate(zip(sources, stages, links, strict=True))
    ]
    for thread in threads:
        thread.start()
    try:
        for original, item in _drain(links[-1], stop):
            settle(item, original)
    finally:
        stop.set()  # the caller stops (an error, an interrupt): the threads stop too
        for thread in threads:
            thread.join()
    return untaken, failed


def _through(batch: Any, stages: Sequence[Callable[[Any], Any]]) -> Any:
    item = batch
    for stage in stages:
        item = _step(stage, batch, item)
    return item


def _step(stage: Callable[[Any], Any], original: Any, item: Any) -> Any:
    if isinstance(item, _Failed):
        return item
    try:
        return stage(item)
    except Exception as exc:
        return _Failed(original, exc)


def _stage_loop(
    source: Iterable[Any], stage: Callable[[Any], Any], out: queue.Queue, stop: threading.Event
) -> None:
    try:
        for original, item in source:
            if stop.is_set() or not _put(out, (original, _step(stage, original, item)), stop):
                return
    finally:
        _put(out, _END, stop)


def _put(out: queue.Queue, item: Any, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            out.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def _drain(source: queue.Queue, stop: threading.Event) -> Iterable[tuple[Any, Any]]:
    while not stop.is_set():
        try:
            item = source.get(timeout=_POLL)
        except queue.Empty:
            continue
        if item is _END:
            return
        yield item


def load_batches(
    batches: Iterable[list[Candidate]],
    settings: Settings,
    steps: Steps,
    *,
    stages: Stages = Stages(),  # noqa: B008 (frozen, never mutated)
    deadline: float | None = None,
    depth: int = DEPTH,
    on_error: Callable[[list[Candidate], BaseException], None] | None = None,
) -> list[Candidate]:
    """Return the URLs left: those of batches not taken before the deadline (a CLOCK.monotonic()
    value) and those of batches that failed; fetch, extract, judge and commit every other batch.
    """
    _freeze_heap()
    workers = worker_count(settings.extract)
    warm_pool(workers)  # the workers start while the first batch is fetched

    def fetch(candidates: list[Candidate]) -> Batch:
        pages, failures = stages.fetch(candidates, settings.fetch)
        return Batch(candidates=candidates, pages=pages, read=len(pages), failures=failures)

    def extract(batch: Batch) -> Batch:
        batch.articles, failures = stages.extract(batch.pages, settings.extract)
        batch.pages = []  # the articles keep what the commit needs of the HTML
        batch.failures = batch.failures + failures
        return batch

    def judge(batch: Batch) -> Batch:
        if steps.place is not None:
            batch.articles, batch.rejected = steps.place(batch.articles)
        batch.judged = stages.judge(batch.articles, settings, workers)
        return batch

    def commit(batch: Batch) -> None:
        loaded = steps.commit(batch.judged, batch.rejected, batch.failures)
        steps.count(batch.read, batch.failures, loaded)
        if steps.done is not None:
            steps.done(len(batch.candidates))

    def report(candidates: list[Candidate], error: BaseException) -> None:
        (on_error or _log_failure)(candidates, error)
        if steps.failed is not None:
            steps.failed(len(candidates), error)
        if steps.done is not None:
            steps.done(len(candidates))

    untaken, failed = run_stages(
        batches,
        [fetch, extract, judge],
        commit,
        depth=depth,
        deadline=deadline,
        on_error=report,
    )
    return [c for batch in failed + untaken for c in batch]


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


def _log_failure(candidates: list[Candidate], error: BaseException) -> None:
    log.error(
        "a batch of %d URLs failed (%s: %s); they are left for the next run",
        len(candidates),
        type(error).__name__,
        error,
        exc_info=error,
    )
