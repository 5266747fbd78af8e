"""Events: each report joins the active event it matches best, or opens a new one.

Online and incremental: an article is compared only with the events active around its
publication time (a report within `window` of it), never with the lake, so the time and memory
an article costs grow with the number of events active in the window, not with the lake. An
active event keeps its first report and its latest ones (at most MEMBER_CAP), which is what it
is compared by. Deterministic: the same signals in the same order give the same events, and an
event's id is derived from its first report's key.

A pair of reports scores the cosine of their leads' embeddings, plus the agreement of their
particulars (actors, places, figures, the day of the occasion), minus their conflicts (another
day, another kind of occasion): see `pair_score`. The weights and the threshold were chosen on
the dev split of tests/eval/events (devtools/evaluate_events.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from threadpoolctl import threadpool_limits

from tasks.event_lexicon import COMPATIBLE
from tasks.event_signals import EventSignals
from tasks.records import EventMethod

# An event is compared by its first report and its latest MEMBER_CAP - 1: enough to follow a
# story as it develops, few enough that a large event costs no more than a small one.
MEMBER_CAP = 8
# USE v3's embeddings
DIMENSIONS = 512
# Two days mentioned this close agree (a report dated in another time zone, "overnight").
DAY_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class Weights:
    """How a pair's evidence adds up to its score (the cosine counts 1).

    Chosen on the dev split of tests/eval/events (devtools/evaluate_events.py --sweep). Same
    actors, places and figures are weak evidence: the confusable events share them (the same two
    ministers, Beijing, 50 bcm). A common day is stronger, and another day or another kind of
    occasion is the strongest: no two reports of one dev event had either conflict.
    """

    actors: float = 0.1  # x the share of the smaller set of actors the other names too
    places: float = 0.05  # x the same share of places
    numbers: float = 0.1  # x shared figures, up to two
    same_day: float = 0.2  # both leads name a day within DAY_TOLERANCE of each other
    other_day: float = 0.5  # both leads name days, none within DAY_TOLERANCE
    other_occasion: float = 0.5  # two kinds of occasion that never describe one event

    @property
    def most(self) -> float:
        """Return the most the lexical evidence can add to the cosine."""
        return self.actors + self.places + self.numbers + self.same_day


WEIGHTS = Weights()
# On dev, B-cubed F1 is 1.0 for thresholds 0.45-0.80 even when every past event is a candidate
# (no window); 0.6 is the middle of that plateau.
THRESHOLD = 0.6
# Reports of one event run over a few days; a week also covers the follow-ups. Every dev event
# came out whole with 3, 7 or 14 days.
WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Assignment:
    """Where one report went: the event, its score against it, and why."""

    key: str
    event_id: str
    similarity: float
    method: EventMethod  # "joined" an active event, or opened a "new" one
    evidence: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass
class ActiveEvent:
    """An event still open to new reports: its span and the reports it is compared by."""

    event_id: str
    first_at: datetime
    last_at: datetime
    reports: int
    members: list[EventSignals]

    def add(self, signals: EventSignals) -> None:
        """Take a report in: keep the first and the latest MEMBER_CAP - 1."""
        self.first_at = min(self.first_at, signals.published_at)
        self.last_at = max(self.last_at, signals.published_at)
        self.reports += 1
        self.members.append(signals)
        if len(self.members) > MEMBER_CAP:
            del self.members[1]


class ActiveEvents:
    """The events open to new reports, with every member's embedding in one matrix of
    MEMBER_CAP rows an event, so that one product gives a report's cosines to all of them."""

    def __init__(self, events: Iterable[ActiveEvent] = ()) -> None:
        self.events: list[ActiveEvent] = []
        self._rows = np.zeros((0, MEMBER_CAP, DIMENSIONS), dtype=np.float32)
        self._first = np.zeros(0)  # each event's first and last report, POSIX seconds
        self._last = np.zeros(0)
        for event in events:
            self.add(event)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def add(self, event: ActiveEvent) -> None:
        """Make an event a candidate."""
        n = len(self.events)
        if n == len(self._rows):  # grow by doubling: appending stays cheap on average
            grown = max(16, 2 * n)
            self._rows = np.resize(self._rows, (grown, MEMBER_CAP, DIMENSIONS))
            self._first, self._last = np.resize(self._first, grown), np.resize(self._last, grown)
        self.events.append(event)
        self.refresh(n)

    def refresh(self, i: int) -> None:
        """Copy event i's members and span into the matrix (after it took a report in)."""
        event = self.events[i]
        self._rows[i] = 0.0  # an empty slot's cosine is 0: the lexical pass checks real members
        self._rows[i, : len(event.members)] = [m.embedding for m in event.members]
        self._first[i], self._last[i] = event.first_at.timestamp(), event.last_at.timestamp()

    def best_cosines(self, signals: EventSignals, window: timedelta) -> np.ndarray:
        """Return each event's best member cosine with the report, -inf outside the window."""
        n, when, slack = len(self.events), signals.published_at.timestamp(), window.total_seconds()
        flat = self._rows[:n].reshape(n * MEMBER_CAP, DIMENSIONS)
        best = (flat @ signals.embedding).reshape(n, MEMBER_CAP).max(axis=1)
        near = (self._first[:n] - slack <= when) & (when <= self._last[:n] + slack)
        return np.where(near, best, -np.inf)

    def drop_before(self, cutoff: datetime) -> None:
        """Forget the events whose last report is older than the cutoff."""
        n = len(self.events)
        keep = np.flatnonzero(self._last[:n] >= cutoff.timestamp())
        if len(keep) < n:
            self.events = [self.events[i] for i in keep]
            self._rows, self._first, self._last = (
                self._rows[keep],
                self._first[keep],
                self._last[keep],
            )


def overlap(a: frozenset, b: frozenset) -> float:
    """Return the share of the smaller set found in the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def day_relation(a: EventSignals, b: EventSignals) -> int:
    """Return 1 when the two name a common day (within DAY_TOLERANCE), -1 when both name days
    and none are common, 0 when either names none."""
    if not a.dates or not b.dates:
        return 0
    close = any(abs(x - y) <= DAY_TOLERANCE for x in a.dates for y in b.dates)
    return 1 if close else -1


def other_occasion(a: EventSignals, b: EventSignals) -> bool:
    """Return whether the two name kinds of occasion that never describe one event."""
    if a.occasion is None or b.occasion is None or a.occasion == b.occasion:
        return False
    return frozenset({a.occasion, b.occasion}) not in COMPATIBLE


def lexical(a: EventSignals, b: EventSignals, weights: Weights) -> dict[str, float]:
    """Return each piece of lexical evidence of the pair, weighted (conflicts negative)."""
    days = day_relation(a, b)
    evidence = {
        "actors": weights.actors * overlap(a.actors, b.actors),
        "places": weights.places * overlap(a.places, b.places),
        "numbers": weights.numbers * min(len(a.numbers & b.numbers), 2) / 2,
        "same_day": weights.same_day * (days == 1),
        "other_day": -weights.other_day * (days == -1),
        "other_occasion": -weights.other_occasion * other_occasion(a, b),
    }
    return {k: round(v, 4) for k, v in evidence.items() if v}


def pair_score(
    a: EventSignals, b: EventSignals, weights: Weights = WEIGHTS
) -> tuple[float, dict[str, float]]:
    """Return how likely two reports are of one event, and the evidence that adds up to it."""
    cosine = float(np.dot(a.embedding, b.embedding))
    evidence = {"cosine": round(cosine, 4), **lexical(a, b, weights)}
    return cosine + sum(v for k, v in evidence.items() if k != "cosine"), evidence


def event_id(first_key: str) -> str:
    """Return the id of the event a report opens (stable: derived from its key)."""
    return "ev-" + hashlib.sha1(first_key.encode("utf-8")).hexdigest()[:16]


def best_event(
    signals: EventSignals,
    candidates: ActiveEvents,
    window: timedelta,
    weights: Weights,
    threshold: float,
) -> tuple[int | None, float, dict[str, float]]:
    """Return the index of the candidate within the window that the report matches best at or
    above the threshold (the earliest opened on a tie), its score and evidence; (None, the best
    score seen, {}) when none reaches it."""
    if not len(candidates):
        return None, 0.0, {}
    # The cosines first; only the events that the lexical evidence could still lift over the
    # threshold are scored in full.
    cosines = candidates.best_cosines(signals, window)
    best: tuple[int | None, float, dict[str, float]] = (None, -1.0, {})
    for i in np.flatnonzero(cosines + weights.most >= threshold):
        for member in candidates.events[i].members:
            score, evidence = pair_score(signals, member, weights)
            if score > best[1]:
                best = (int(i), score, evidence)
    if best[0] is None or best[1] < threshold:
        return None, max(best[1], float(cosines.max())), {}
    return best


def assign(
    signals_in_order: Iterable[EventSignals],
    candidates: ActiveEvents,
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
    weights: Weights = WEIGHTS,
) -> list[Assignment]:
    """Return each report's event, in order: the best-matching event active within the window
    at or above the threshold, else a new one.

    `candidates` are the events active before the first report (none on an empty lake); it is
    updated in place, so that the next batch starts from it: joined and new events are in it
    afterwards, and events whose last report fell two windows behind the latest one are dropped.
    Its products run on one BLAS thread: several threads cost 3-8x the CPU on a busy machine.
    """
    with threadpool_limits(1, user_api="blas"):
        return _assign(signals_in_order, candidates, threshold, window, weights)


def _assign(
    signals_in_order: Iterable[EventSignals],
    candidates: ActiveEvents,
    threshold: float,
    window: timedelta,
    weights: Weights,
) -> list[Assignment]:
    out: list[Assignment] = []
    latest: datetime | None = None
    for signals in signals_in_order:
        when = signals.published_at
        i, score, evidence = best_event(signals, candidates, window, weights, threshold)
        if i is None:
            event = ActiveEvent(event_id(signals.key), when, when, 1, [signals])
            candidates.add(event)
            out.append(Assignment(signals.key, event.event_id, 1.0, "new", evidence))
        else:
            candidates.events[i].add(signals)
            candidates.refresh(i)
            out.append(
                Assignment(
                    signals.key, candidates.events[i].event_id, round(score, 4), "joined", evidence
                )
            )
        latest = when if latest is None else max(latest, when)
        # a report may come a little out of order (a backfill): keep one window's slack
        candidates.drop_before(latest - 2 * window)
    return out
