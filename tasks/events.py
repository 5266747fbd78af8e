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

from tasks.event_signals import COMPATIBLE, EventSignals

# An event is compared by its first report and its latest MEMBER_CAP - 1: enough to follow a
# story as it develops, few enough that a large event costs no more than a small one.
MEMBER_CAP = 8
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
    method: str  # "joined" an active event, or opened a "new" one
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

    def near(self, when: datetime, window: timedelta) -> bool:
        """Return whether a report at `when` falls within the window of this event's span."""
        return self.first_at - window <= when <= self.last_at + window


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
    candidates: list[ActiveEvent],
    weights: Weights,
    threshold: float,
) -> tuple[ActiveEvent | None, float, dict[str, float]]:
    """Return the candidate the report matches best at or above the threshold (the earliest
    opened on a tie), its score and evidence; (None, best score, {}) when none reaches it."""
    if not candidates:
        return None, 0.0, {}
    # One matrix product finds each event's best cosine; only events that the lexical evidence
    # could still lift over the threshold are scored in full.
    owners = [i for i, event in enumerate(candidates) for _ in event.members]
    matrix = np.stack([m.embedding for event in candidates for m in event.members])
    cosines = matrix @ signals.embedding
    best_cosine = np.full(len(candidates), -1.0)
    np.maximum.at(best_cosine, owners, cosines)
    best: tuple[ActiveEvent | None, float, dict[str, float]] = (None, -1.0, {})
    for i in np.flatnonzero(best_cosine + weights.most >= threshold):
        for member in candidates[i].members:
            score, evidence = pair_score(signals, member, weights)
            if score > best[1]:
                best = (candidates[i], score, evidence)
    if best[0] is None or best[1] < threshold:
        return None, max(best[1], float(best_cosine.max())), {}
    return best


def assign(
    signals_in_order: Iterable[EventSignals],
    candidates: list[ActiveEvent],
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
    weights: Weights = WEIGHTS,
) -> list[Assignment]:
    """Return each report's event, in order: the best-matching event active within the window
    at or above the threshold, else a new one.

    `candidates` are the events active before the first report (none on an empty lake); it is
    updated in place, so that the next batch starts from it: joined and new events are in it
    afterwards, and events whose last report fell two windows behind the latest one are dropped.
    """
    out: list[Assignment] = []
    latest: datetime | None = None
    for signals in signals_in_order:
        when = signals.published_at
        near = [event for event in candidates if event.near(when, window)]
        event, score, evidence = best_event(signals, near, weights, threshold)
        if event is None:
            event = ActiveEvent(event_id(signals.key), when, when, 0, [])
            candidates.append(event)
            out.append(Assignment(signals.key, event.event_id, 1.0, "new", evidence))
        else:
            out.append(Assignment(signals.key, event.event_id, round(score, 4), "joined", evidence))
        event.add(signals)
        latest = when if latest is None else max(latest, when)
        # a report may come a little out of order (a backfill): keep one window's slack
        candidates[:] = [e for e in candidates if e.last_at >= latest - 2 * window]
    return out
