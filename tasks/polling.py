"""Each feed on its own schedule: when it is due, and when it is due next after a check.

After a check, the next fetch time is the latest of: the feed's own interval (adapted to what it
brings: a feed with many new items is read more often, one with none less), its `ttl` (RSS),
Cache-Control max-age or Expires, and a Retry-After it sent — within `[polling]`'s bounds. A feed
that fails waits twice as long after each failure in a row, with jitter, up to
`polling.max_backoff_hours`; it is never given up (feeds come back: 404, 410, 429, 5xx, DNS and
TLS failures all pass), only paused by a person. Pure functions: no warehouse, no Prefect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.settings import Feed, Polling
from tasks.records import FeedResult, FeedState

BUSY, QUIET = 10, 3  # new items at one check that make a feed busy, or quiet
FIRST_INTERVAL_FACTOR = 3  # a new feed starts at three times the shortest interval


@dataclass(frozen=True, kw_only=True)
class Poll:
    """A feed's polling after one check."""

    next_fetch_at: datetime
    interval_minutes: float
    items_per_day: float | None
    new_items: int


def due_feeds(
    feeds: list[Feed], states: dict[str, FeedState], now: datetime, every: bool = False
) -> tuple[list[Feed], list[Feed]]:
    """Return the configured feeds split into (due now, waiting); `every` makes all unpaused due.

    A paused feed waits whatever `every` says; a feed never checked is due.
    """
    due, waiting = [], []
    for feed in feeds:
        state = states.get(feed.url)
        if state is not None and state.paused_at is not None:
            waiting.append(feed)
        elif every or state is None or state.next_fetch_at is None or state.next_fetch_at <= now:
            due.append(feed)
        else:
            waiting.append(feed)
    return due, waiting


def _bounded(minutes: float, polling: Polling) -> float:
    return min(polling.max_interval_minutes, max(polling.min_interval_minutes, minutes))


def adapted_interval(previous: float | None, new_items: int, polling: Polling) -> float:
    """Return the feed's interval after a successful check that brought `new_items`."""
    if previous is None:
        return _bounded(polling.min_interval_minutes * FIRST_INTERVAL_FACTOR, polling)
    if new_items >= BUSY:
        return _bounded(previous / 2, polling)
    if new_items >= QUIET:
        return _bounded(previous * 0.75, polling)
    if new_items == 0:
        return _bounded(previous * 1.5, polling)
    return _bounded(previous, polling)


def _rate(state: FeedState | None, new_items: int, now: datetime) -> float | None:
    if state is None or state.last_checked_at is None:
        return None
    days = max((now - state.last_checked_at).total_seconds() / 86400, 1 / 1440)
    rate = new_items / days
    if state.items_per_day is None:
        return rate
    return 0.7 * state.items_per_day + 0.3 * rate  # smoothed: one busy hour is not a trend


def next_poll(
    state: FeedState | None,
    result: FeedResult,
    new_items: int,
    now: datetime,
    polling: Polling,
    rng: random.Random | None = None,
) -> Poll:
    """Return when the feed is due next, given the check that just ended and what it brought."""
    rng = rng or random.Random()
    previous = state.interval_minutes if state is not None else None
    if not result.ok:
        failures = (state.consecutive_failures if state is not None else 0) + 1
        interval = previous or _bounded(
            polling.min_interval_minutes * FIRST_INTERVAL_FACTOR, polling
        )
        wait = min(interval * 60 * 2 ** (failures - 1), polling.max_backoff_hours * 3600)
        wait *= rng.uniform(0.75, 1.25)  # many feeds failing at once do not come back at once
        wait = max(wait, min(result.retry_after or 0, polling.max_backoff_hours * 3600))
        return Poll(
            next_fetch_at=now + timedelta(seconds=wait),
            interval_minutes=interval,
            items_per_day=state.items_per_day if state is not None else None,
            new_items=0,
        )
    interval = adapted_interval(previous, new_items, polling)
    wait = max(interval * 60, min(result.refresh_after or 0, polling.max_interval_minutes * 60))
    return Poll(
        next_fetch_at=now + timedelta(seconds=wait),
        interval_minutes=interval,
        items_per_day=_rate(state, new_items, now),
        new_items=new_items,
    )
