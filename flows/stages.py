"""The stages as Prefect tasks: what the flows hand to the one stage order (tasks/pipeline.py).

Each stage of a batch is one task run, called from the pipeline's threads; the order, the overlap
and the commit variants are tasks/'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from prefect.utilities.annotations import quote

from tasks.assess import judge_batch_task
from tasks.extract import extract_pages_task
from tasks.fetch import fetch_pages_task
from tasks.pipeline import Stages, commit_batch_task

__all__ = ["TASKS", "quoted"]

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
    commit=quoted(commit_batch_task),
)
