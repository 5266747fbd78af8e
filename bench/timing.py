"""Timing and memory for the benches, one way for all of them.

    timed(call, repeat)        best and median seconds of `repeat` calls, and the last result
    clock()                    wall and CPU seconds of a block (a context manager)
    Laps()                     a step-by-step breakdown: seconds between marks, by step name
    memory_mb(field, pid)      VmRSS (now) or VmHWM (peak) of a process, in MB
    ratio(new, old)            "1.23x", the way every bench prints a ratio

Standard library only: the benches' child processes import this before they time their own
imports.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing(Generic[T]):
    """The seconds of repeated calls of one callable, and what its last call returned."""

    times: tuple[float, ...]
    result: T

    @property
    def best(self) -> float:
        """Return the fastest call's seconds (the least disturbed by other work)."""
        return min(self.times)

    @property
    def median(self) -> float:
        """Return the median call's seconds."""
        return statistics.median(self.times)


def timed(call: Callable[[], T], repeat: int = 3) -> Timing[T]:
    """Return the seconds of `repeat` calls of `call`, one after another, and its last result."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        mark = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - mark)
    return Timing(tuple(times), result)  # type: ignore[arg-type]


@dataclass
class Clock:
    """Wall and CPU seconds (this process, every thread) of a block, set when it ends."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def clock() -> Iterator[Clock]:
    """Yield a Clock that holds the block's wall and CPU seconds once the block is over."""
    elapsed = Clock()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield elapsed
    finally:
        elapsed.wall = time.perf_counter() - wall
        elapsed.cpu = time.process_time() - cpu


class Laps:
    """A step-by-step breakdown: `lap(name)` records the seconds since the previous mark (or
    since the Laps was made), `call(name, fn, *args)` the seconds of one call alone."""

    def __init__(self) -> None:
        self.started = self._mark = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, name: str) -> float:
        """Return the seconds since the last mark, recorded under `name`; marks now."""
        now = time.perf_counter()
        self.steps[name] = now - self._mark
        self._mark = now
        return self.steps[name]

    def call(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        """Return `fn(*args)`, its seconds recorded under `name` (what ran before is not counted)."""
        mark = time.perf_counter()
        value = fn(*args)
        self._mark = time.perf_counter()
        self.steps[name] = self._mark - mark
        return value

    def total(self) -> dict[str, float]:
        """Return the steps, with "total": the seconds since the Laps was made."""
        return {**self.steps, "total": time.perf_counter() - self.started}


def memory_mb(field: str = "VmHWM", pid: int | str = "self") -> float:
    """Return a memory field of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak), or 0.0
    when the process has none (a zombie). Linux only."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def ratio(new: float, old: float) -> str:
    """Return new / old as "1.23x", or "" when there is nothing to compare with."""
    return f"{new / old:.2f}x" if old else ""
