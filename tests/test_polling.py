"""Each feed on its own schedule: due or waiting, adapted intervals, backoff, hints, pauses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from config import Feed, load_settings
from tasks.polling import adapted_interval, due_feeds, next_poll
from tasks.records import FeedResult, FeedState

POLLING = load_settings().polling  # 10 .. 720 minutes, backoff up to 24 h
NOW = datetime(2026, 11, 30, 12, 0)
FEEDS = [Feed(name=f"F{i}", url=f"https://example.com/{i}.xml") for i in range(4)]


def test_which_feeds_are_due() -> None:
    states = {
        FEEDS[1].url: FeedState(url=FEEDS[1].url, next_fetch_at=NOW + timedelta(minutes=5)),
        FEEDS[2].url: FeedState(url=FEEDS[2].url, next_fetch_at=NOW - timedelta(minutes=1)),
        FEEDS[3].url: FeedState(url=FEEDS[3].url, paused_at=NOW - timedelta(days=1)),
    }
    due, waiting = due_feeds(FEEDS, states, NOW)
    assert due == [FEEDS[0], FEEDS[2]]  # never checked; its time has come
    assert waiting == [FEEDS[1], FEEDS[3]]  # not yet; paused
    due, waiting = due_feeds(FEEDS, states, NOW, every=True)
    assert waiting == [FEEDS[3]]  # a paused feed waits for a person, whatever is asked


@pytest.mark.parametrize(
    ("previous", "new_items", "expected"),
    [
        (None, 5, 30),  # a new feed starts at three times the shortest interval
        (120, 12, 60),  # busy: twice as often
        (120, 4, 90),  # a few: a little more often
        (120, 1, 120),  # one: as it was
        (120, 0, 180),  # nothing new: less often
        (15, 50, 10),  # never below the shortest interval ...
        (600, 0, 720),  # ... nor above the longest
    ],
)
def test_the_interval_follows_what_the_feed_brings(
    previous: float | None, new_items: int, expected: float
) -> None:
    assert adapted_interval(previous, new_items, POLLING) == expected


def _ok(**hints) -> FeedResult:
    return FeedResult(feed=FEEDS[0], status="ok", **hints)


def _failed(**hints) -> FeedResult:
    return FeedResult(feed=FEEDS[0], status="failed", error="HTTP 503", **hints)


def test_a_successful_check_is_next_due_after_its_interval_or_its_hint() -> None:
    state = FeedState(
        url=FEEDS[0].url, interval_minutes=60, last_checked_at=NOW - timedelta(hours=1)
    )
    poll = next_poll(state, _ok(), 2, NOW, POLLING)
    assert poll.next_fetch_at == NOW + timedelta(minutes=60)
    assert poll.items_per_day == pytest.approx(48)  # 2 items in an hour
    hinted = next_poll(state, _ok(refresh_after=3 * 3600), 2, NOW, POLLING)
    assert hinted.next_fetch_at == NOW + timedelta(hours=3)  # ttl / max-age: the longer wait
    capped = next_poll(state, _ok(refresh_after=30 * 24 * 3600), 2, NOW, POLLING)
    assert capped.next_fetch_at == NOW + timedelta(minutes=POLLING.max_interval_minutes)


def test_failures_back_off_with_jitter_up_to_a_bound_and_never_give_up() -> None:
    rng = random.Random(7)
    waits = []
    for failures in range(8):
        state = FeedState(url=FEEDS[0].url, interval_minutes=30, consecutive_failures=failures)
        poll = next_poll(state, _failed(), 0, NOW, POLLING, rng)
        waits.append((poll.next_fetch_at - NOW).total_seconds() / 60)
    for failures, wait in enumerate(waits):
        expected = min(30 * 2**failures, POLLING.max_backoff_hours * 60)
        assert 0.75 * expected <= wait <= 1.25 * expected
    assert waits[-1] <= 1.25 * POLLING.max_backoff_hours * 60  # bounded: the feed comes back


def test_a_retry_after_is_honoured_within_the_bound() -> None:
    state = FeedState(url=FEEDS[0].url, interval_minutes=30)
    poll = next_poll(state, _failed(retry_after=4 * 3600), 0, NOW, POLLING, random.Random(1))
    assert poll.next_fetch_at >= NOW + timedelta(hours=4)
    huge = next_poll(state, _failed(retry_after=10**9), 0, NOW, POLLING, random.Random(1))
    assert huge.next_fetch_at <= NOW + timedelta(hours=POLLING.max_backoff_hours)
