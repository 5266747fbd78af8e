"""The time that leases, heartbeats and deadlines read: the system's, or one a test moves by hand.

Whatever waits on time takes a `Clock`: a backfill's leases and their heartbeat
(tasks/backfill/lease.py), the `warehouse-commit` slot's wait and lease renewal
(tasks/commit.py), a run's deadline (flows/monitor.py, tasks/pipeline.py), a pooled worker's idle
poll. The default, `CLOCK`, is the process's clock: the system's (`SYSTEM`), unless a test set
another with `use` (a flow run in the test's process takes no clock of its own). A
`ManualClock` stands still until told to move, so that a test of "after the lease ran out" or
"past the deadline" advances it instead of sleeping, and says exactly how much time passed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What reads the time or waits for it."""

    def now(self) -> datetime:
        """Return the current time as naive UTC (what the warehouse stores)."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back (for deadlines)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Return after `seconds` have passed."""
        ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Return True once `event` is set, False if `seconds` passed first (a heartbeat's beat)."""
        ...


class SystemClock:
    """The machine's time."""

    def now(self) -> datetime:
        """Return the current time as naive UTC."""
        return datetime.now(UTC).replace(tzinfo=None)

    def monotonic(self) -> float:
        """Return time.monotonic()."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Return after `seconds` of wall-clock time."""
        time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Return event.wait(seconds)."""
        return event.wait(seconds)


SYSTEM: Clock = SystemClock()


class ProcessClock:
    """The process's clock, every function's default: the system's, unless a test has set
    another for a while (`use`), so that a flow run in the test's process reads that one."""

    def __init__(self) -> None:
        self.clock: Clock = SYSTEM

    def now(self) -> datetime:
        """Return the current time as naive UTC."""
        return self.clock.now()

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back."""
        return self.clock.monotonic()

    def sleep(self, seconds: float) -> None:
        """Return after `seconds` have passed."""
        self.clock.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Return True once `event` is set, False if `seconds` passed first."""
        return self.clock.wait(event, seconds)


CLOCK = ProcessClock()


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Yield `clock` after making it the process's (CLOCK) until the block ends."""
    previous, CLOCK.clock = CLOCK.clock, clock
    try:
        yield clock
    finally:
        CLOCK.clock = previous


# How often a thread waiting on a ManualClock looks at its event (which cannot wake it): real
# time, but only while the event is unset and the clock still.
_EVENT_POLL_SECONDS = 0.02
SETTLE_SECONDS = 30.0


class ManualClock:
    """Time that moves only when `advance` is called (or a `sleep`, which advances it at once),
    from `start` (default: the system's time when it was made).

    `advance` returns once every thread whose `wait` it ended has done its work and waits again
    (or has left): a heartbeat that was due has beaten by the time the test looks.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = SYSTEM.now() if start is None else start
        self._elapsed = 0.0
        self._moved = threading.Condition()
        self._waiting: dict[int, float] = {}  # thread id -> the time its wait ends
        self._busy: set[int] = set()  # threads woken by the clock, not waiting again yet

    def now(self) -> datetime:
        """Return the start time plus the time advanced so far."""
        with self._moved:
            return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        """Return the seconds advanced so far."""
        with self._moved:
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        """Return at once, the clock `seconds` later: the sleeper's time passes without waiting."""
        self.advance(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Return True once `event` is set, False once the clock has been advanced `seconds`."""
        me = threading.get_ident()
        with self._moved:
            self._busy.discard(me)
            self._moved.notify_all()
            until = self._elapsed + seconds
            self._waiting[me] = until
            try:
                while not event.is_set() and self._elapsed < until:
                    self._moved.wait(_EVENT_POLL_SECONDS)
            finally:
                del self._waiting[me]
            if event.is_set():
                return True
            self._busy.add(me)
            return False

    def waiters(self) -> int:
        """Return how many threads wait on the clock now."""
        with self._moved:
            return len(self._waiting)

    def advance(self, seconds: float) -> None:
        """Move the clock on by `seconds`, then return once the waits it ended have come back."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._moved:
            self._elapsed += seconds
            self._moved.notify_all()
            settled = self._moved.wait_for(
                lambda: (
                    not self._busy
                    and all(until > self._elapsed for until in self._waiting.values())
                ),
                timeout=SETTLE_SECONDS,
            )
        if not settled:
            raise TimeoutError(
                f"threads woken by the clock did not come back within {SETTLE_SECONDS:g} s"
            )
