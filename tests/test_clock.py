"""The clock leases, heartbeats and deadlines read (tasks/clock.py): a ManualClock moves only when
told, and a heartbeat that waits on it has beaten by the time `advance` returns."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tasks.clock import SYSTEM, ManualClock


def test_a_manual_clock_moves_only_when_told() -> None:
    start = datetime(2026, 3, 1, 12, 0)
    clock = ManualClock(start)
    assert (clock.now(), clock.monotonic()) == (start, 0.0)
    clock.advance(90)
    clock.sleep(0.5)  # a sleeper's time passes at once
    assert (clock.now(), clock.monotonic()) == (start + timedelta(seconds=90.5), 90.5)
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_a_new_manual_clock_starts_at_the_systems_time() -> None:
    before = SYSTEM.now()
    assert before <= ManualClock().now() <= SYSTEM.now()


def test_a_heartbeat_on_a_manual_clock_beats_once_a_period_before_advance_returns() -> None:
    clock, done, beats = ManualClock(), threading.Event(), []

    def heart() -> None:
        while not clock.wait(done, 10):
            beats.append(clock.monotonic())

    thread = threading.Thread(target=heart)
    thread.start()
    try:
        while not clock.waiters():  # the heart waits on the clock: the test starts from there
            threading.Event().wait(0.01)
        clock.advance(9.9)
        assert beats == []
        clock.advance(0.1)
        assert beats == [10.0]
        clock.advance(25)  # beats missed while time jumped come as one
        assert beats == [10.0, 35.0]
        clock.advance(10)
        assert beats == [10.0, 35.0, 45.0]
    finally:
        done.set()
        thread.join(timeout=5)
    assert not thread.is_alive()  # the event ends the wait without any time passing
    assert clock.monotonic() == 45.0


def test_the_system_clock_wait_returns_once_its_event_is_set() -> None:
    done = threading.Event()
    done.set()
    assert SYSTEM.wait(done, 60) is True
    assert SYSTEM.wait(threading.Event(), 0) is False
