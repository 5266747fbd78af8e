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

from tasks.event_lexicon import COMPATIBLE, OCCASIONS
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
# The conflicts of a report with every member at once (ActiveEvents.conflicts) let the lexical
# pass skip the members they keep below the threshold: the days a member names (a member naming
# more than DAYS_KEPT is never skipped for another day) and its kind of occasion, by index into
# KINDS (an unknown kind counts as none: never skipped for it). CONFLICTING[a][b]: kinds a and b
# never describe one event (`other_occasion`).
DAYS_KEPT = 4
NO_DAY = -(10**9)
KINDS = (*OCCASIONS, None)
KIND = {kind: i for i, kind in enumerate(KINDS)}
NO_KIND = KIND[None]
CONFLICTING = np.array(
    [
        [a != b and None not in (a, b) and frozenset({a, b}) not in COMPATIBLE for b in KINDS]
        for a in KINDS
    ]
)
# Over the bound of a member's score: the evidence is rounded to 4 decimals, and the product's
# cosine may differ from np.dot's in the last bits.
SLACK = 1e-3
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
    MEMBER_CAP rows an event, so that one product gives a report's cosines to all of them, and
    the days and kind of occasion each member names, so that a few array operations find the
    members that another day or another kind of occasion keeps below the threshold."""

    def __init__(self, events: Iterable[ActiveEvent] = ()) -> None:
        self.events: list[ActiveEvent] = []
        self._rows = np.zeros((0, MEMBER_CAP, DIMENSIONS), dtype=np.float32)
        self._first = np.zeros(0)  # each event's first and last report, POSIX seconds
        self._last = np.zeros(0)
        self._members = np.zeros(0, dtype=np.int64)
        self._days = np.zeros((0, MEMBER_CAP, DAYS_KEPT), dtype=np.int64)  # ordinals
        self._dated = np.zeros((0, MEMBER_CAP), dtype=bool)  # names 1 to DAYS_KEPT days
        self._kind = np.zeros((0, MEMBER_CAP), dtype=np.int64)  # index into KINDS
        for event in events:
            self.add(event)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def _arrays(self) -> tuple[str, ...]:
        return ("_rows", "_first", "_last", "_members", "_days", "_dated", "_kind")

    def add(self, event: ActiveEvent) -> None:
        """Make an event a candidate."""
        n = len(self.events)
        if n == len(self._rows):  # grow by doubling: appending stays cheap on average
            grown = max(16, 2 * n)
            for name in self._arrays():
                old = getattr(self, name)
                setattr(self, name, np.resize(old, (grown, *old.shape[1:])))
        self.events.append(event)
        self.refresh(n)

    def refresh(self, i: int) -> None:
        """Copy event i's members and span into the arrays (after it took a report in)."""
        event, members = self.events[i], self.events[i].members
        self._rows[i] = 0.0
        self._rows[i, : len(members)] = [m.embedding for m in members]
        self._first[i], self._last[i] = event.first_at.timestamp(), event.last_at.timestamp()
        self._members[i] = len(members)
        self._dated[i], self._kind[i] = False, NO_KIND
        for k, member in enumerate(members):
            self._dated[i, k], self._days[i, k] = _days(member)
            self._kind[i, k] = KIND.get(member.occasion, NO_KIND)

    def cosines(self, signals: EventSignals, window: timedelta) -> np.ndarray:
        """Return each member's cosine with the report (events by members), -inf for the events
        outside the window and the empty slots."""
        n, when, slack = len(self.events), signals.published_at.timestamp(), window.total_seconds()
        flat = self._rows[:n].reshape(n * MEMBER_CAP, DIMENSIONS)
        cosines = (flat @ signals.embedding).reshape(n, MEMBER_CAP)
        near = (self._first[:n] - slack <= when) & (when <= self._last[:n] + slack)
        filled = np.arange(MEMBER_CAP) < self._members[:n, None]
        return np.where(near[:, None] & filled, cosines, -np.inf)

    def conflicts(self, signals: EventSignals, weights: Weights) -> np.ndarray:
        """Return what each member's conflicts with the report take off its score (events by
        members): another day, another kind of occasion, as `lexical` weighs them."""
        n = len(self.events)
        dated, days = _days(signals)
        penalty = np.zeros((n, MEMBER_CAP))
        if dated:
            named = days[days != NO_DAY]
            gap = np.abs(self._days[:n, :, :, None] - named).min(axis=(2, 3))
            penalty += weights.other_day * (self._dated[:n] & (gap > DAY_TOLERANCE.days))
        conflicting = CONFLICTING[KIND.get(signals.occasion, NO_KIND)]
        return penalty + weights.other_occasion * conflicting[self._kind[:n]]

    def drop_before(self, cutoff: datetime) -> None:
        """Forget the events whose last report is older than the cutoff."""
        n = len(self.events)
        keep = np.flatnonzero(self._last[:n] >= cutoff.timestamp())
        if len(keep) < n:
            self.events = [self.events[i] for i in keep]
            for name in self._arrays():
                setattr(self, name, getattr(self, name)[keep])


def _days(signals: EventSignals) -> tuple[bool, np.ndarray]:
    """Return whether the report names 1 to DAYS_KEPT days, and their ordinals (NO_DAY after)."""
    days = np.full(DAYS_KEPT, NO_DAY, dtype=np.int64)
    if not 0 < len(signals.dates) <= DAYS_KEPT:
        return False, days
    days[: len(signals.dates)] = sorted(d.toordinal() for d in signals.dates)
    return True, days


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
    # Only the members that could still reach the threshold are scored in full: their cosine
    # plus the most the lexical evidence adds, less the conflicts found with arrays. Exact: one
    # left out scores below the threshold (SLACK covers the rounding of the evidence).
    cosines = candidates.cosines(signals, window)
    bound = cosines + weights.most - candidates.conflicts(signals, weights) + SLACK
    best: tuple[int | None, float, dict[str, float]] = (None, -1.0, {})
    for i, k in zip(*np.nonzero(bound >= threshold), strict=True):
        score, evidence = pair_score(signals, candidates.events[i].members[k], weights)
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
