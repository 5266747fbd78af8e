"""Stages overlapped across batches: each stage in its own thread, bounded queues between them.

Batch n+1 goes through the first stage while batch n is in the second and batch n-1 in the
third, and no more than a few batches are in memory however many a run has; `finish` runs in the
caller's thread, in batch order, one batch at a time. `depth=0` runs the same stages one after the
other in the caller's thread. Generic: what a batch is and what the stages do is the caller's
(tasks/pipeline.py gives it the order fetch, extract, judge, commit).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tasks.clock import CLOCK, Clock

# Batches waiting between two stages. One keeps every stage busy (each stage takes about as long
# as the next, bar extraction) while holding at most ~2 batches per stage in memory.
DEPTH = 1
_POLL = 0.1  # seconds between checks of the stop flag while a queue is full or empty


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
