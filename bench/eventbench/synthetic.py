"""A synthetic news stream of events, as the lake holds it after months or years of monitoring.

Events open at a steady rate (PER_DAY relevant reports a day, whatever the lake's size: a lake
of 1M reports is older than one of 10k, not denser); each has a few reports (geometric, mean
2.5, and 3 % large ones of 10-60) spread over the days after its first (exponential, mean 18 h,
at most 6 days); COPY_SHARE of the stored relevant articles are copies of an earlier original
(an `article_events` row with method 'copy', no `event_signals` row, as the commit writes them).
The stored reports are the last N before END; the new ones, to be assigned, follow END.

A report's embedding is a topic direction every report shares, its event's direction and its
own, in the proportions that give the cosines of USE v3 on the leads of tests/eval/events
(reports of two events 0.34 on average, of one event 0.63): the share of candidate events that
the lexical pass must score is then as in real news about one topic. Its lexical signals come
from its event's (actors, places, figures, the event's day, the kind of occasion), each kept or
not, in about the proportions of the same leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

SEED = 20260601
END = datetime(2026, 6, 1)  # the stored reports end here; the new ones come after
PER_DAY = 300  # relevant articles stored a day
COPY_SHARE = 0.1
TOPIC, EVENT, OWN = 0.33, 0.30, 0.37  # squared weights of an embedding's three directions
DIMENSIONS = 512
BLOCK = 4096  # event directions are made a block of events at a time, from the block's seed
MARGIN_DAYS = 10  # events opened before the first stored report, cut by it
LANGUAGES = ("en", "ru", "zh", "uk", "de", "fr", "es", "ja", "ko", "ar")
LANGUAGE_SHARE = (40, 20, 15, 4, 4, 4, 4, 3, 3, 3)
OCCASIONS = ("meeting", "exercise", "signing", "data-release", "call", "vote", "remarks")
OCCASION_SHARE = (16, 14, 12, 8, 8, 5, 4)  # in tests/eval/events; 10 % of reports name none
DAY = 86_400.0


@dataclass
class Stream:
    """Reports in publication order (stored ones first), and the events they belong to."""

    event: object  # int64 array: each report's event
    at: object  # float64 array: seconds after END (negative: stored)
    rank: object  # int64 array: 0 for the report that opened its event
    copy_of: object  # int64 array: the original's row for a copy, else -1
    start: object  # float64 array, by event: its first report's time
    actors: object  # int array (events, 4): indexes into ACTORS, -1 for none
    places: object  # (events, 2) into PLACES
    numbers: object  # (events, 3) into FIGURES
    occasion: object  # (events,) into OCCASIONS, -1 for none
    stored: int  # rows [0, stored) are the lake's, the rest the new reports
    ids: dict = field(default_factory=dict)  # event ids made so far, by event


def _zipf(n: int):
    import numpy as np

    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


@lru_cache(maxsize=1)
def vocabularies() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return the actor and place ids of the real lexicon and a pool of figures."""
    from tasks.event_lexicon import ACTORS, PLACES

    figures = tuple(f"{(k % 37 + 1) * 1.7 * 10 ** (9 + k % 3):.3g}" for k in range(40))
    return tuple(ACTORS), tuple(PLACES), figures + tuple(f"{k / 2:g}%" for k in range(1, 21))


def make_stream(size: int, new: int, per_day: float = PER_DAY) -> Stream:
    """Return `size` stored reports (copies included) and `new` reports after END."""
    import numpy as np

    rng = np.random.default_rng([SEED, 0])
    actors, places, figures = vocabularies()
    originals = size - round(size * COPY_SHARE)
    new_originals = new - round(new * COPY_SHARE)
    per_day_originals = per_day * (1 - COPY_SHARE)
    before = originals / per_day_originals + MARGIN_DAYS
    after = new_originals / per_day_originals + 8
    mean_reports = 0.97 * 2.5 + 0.03 * 35
    events = int((before + after) * per_day_originals / mean_reports * 1.02) + 10
    start = np.sort(rng.uniform(-before * DAY, after * DAY, events))
    big = rng.random(events) < 0.03
    sizes = np.where(big, rng.integers(10, 61, events), rng.geometric(0.4, events))
    event = np.repeat(np.arange(events), sizes)
    firsts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(len(event)) - firsts
    offset = np.minimum(rng.exponential(0.75 * DAY, len(event)), 6 * DAY)
    at = start[event] + np.where(rank == 0, 0.0, offset)
    order = np.argsort(at, kind="stable")
    event, at, rank = event[order], at[order], rank[order]
    stored = np.flatnonzero(at < 0)[-originals:]
    fresh = np.flatnonzero(at >= 0)[:new_originals]
    if len(stored) < originals or len(fresh) < new_originals:
        raise RuntimeError("the stream is too short for the sizes asked")
    rows = np.concatenate([stored, fresh])
    event, at, rank = event[rows], at[rows], rank[rows]
    # copies: stored ones of any stored original; new ones half of the last two days' stored
    # originals (found in the lake by URL), half of new originals (found in the same commit)
    old_copies, new_copies = size - originals, new - new_originals
    of = rng.integers(0, originals, old_copies)
    copy_at = np.minimum(at[of] + rng.uniform(0, 0.25 * DAY, old_copies), -1e-3)
    recent = np.flatnonzero(at[:originals] > -2 * DAY)
    half = new_copies // 2
    of_new = np.concatenate(
        [
            rng.choice(recent, half) if len(recent) else rng.integers(0, originals, half),
            originals + rng.integers(0, new_originals, new_copies - half),
        ]
    )
    new_copy_at = np.maximum(at[of_new], 0) + rng.uniform(0, 0.25 * DAY, new_copies)
    all_of = np.concatenate([np.full(len(rows), -1), of, of_new])
    all_at = np.concatenate([at, copy_at, new_copy_at])
    is_new = np.concatenate([at >= 0, np.zeros(old_copies, bool), np.ones(new_copies, bool)])
    order = np.lexsort((all_at, is_new))  # the stored first, each part in publication order
    where = np.empty(len(order), np.int64)
    where[order] = np.arange(len(order))
    copy_of = all_of[order]
    copy_of = np.where(copy_of >= 0, where[np.maximum(copy_of, 0)], -1)
    base = np.concatenate([event, event[of], event[of_new]])[order]
    ranks = np.concatenate([rank, np.full(new_copies + old_copies, -1)])[order]

    def drawn(n: int, k: int, choices: int, least: int, p) -> np.ndarray:
        picks = rng.choice(choices, (n, k), p=p)
        count = rng.integers(least, k + 1, n)
        return np.where(np.arange(k) < count[:, None], picks, -1)

    occasion = rng.choice(len(OCCASIONS), events, p=np.array(OCCASION_SHARE) / sum(OCCASION_SHARE))
    numbers = drawn(events, 3, len(figures), 1, None)
    return Stream(
        event=base,
        at=all_at[order],
        rank=ranks,
        copy_of=copy_of,
        start=start,
        actors=drawn(events, 4, len(actors), 1, _zipf(len(actors))),
        places=drawn(events, 2, len(places), 0, _zipf(len(places))),
        numbers=np.where(rng.random(events)[:, None] < 0.34, numbers, -1),
        occasion=np.where(rng.random(events) < 0.9, occasion, -1),
        stored=size,
    )


@lru_cache(maxsize=16)
def _block(block: int):
    import numpy as np

    vectors = np.random.default_rng([SEED, 7, block]).standard_normal((BLOCK, DIMENSIONS))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@lru_cache(maxsize=1)
def _topic():
    import numpy as np

    vector = np.random.default_rng([SEED, 6]).standard_normal(DIMENSIONS)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def embeddings(stream: Stream, lo: int, hi: int):
    """Return the unit embeddings of rows [lo, hi) (float32, one row each)."""
    import numpy as np

    events = stream.event[lo:hi]
    mine = np.empty((hi - lo, DIMENSIONS), np.float32)
    for block in np.unique(events // BLOCK):
        mask = events // BLOCK == block
        mine[mask] = _block(int(block))[events[mask] % BLOCK]
    vectors = np.random.default_rng([SEED, 8, lo]).standard_normal(
        (hi - lo, DIMENSIONS), dtype=np.float32
    )
    vectors *= np.float32(np.sqrt(OWN / DIMENSIONS))
    vectors += np.float32(np.sqrt(TOPIC)) * _topic()
    mine *= np.float32(np.sqrt(EVENT))
    vectors += mine
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def _keep(ids: list[int], keep: list[bool], names: tuple[str, ...]) -> list[str]:
    return sorted({names[i] for i, k in zip(ids, keep, strict=True) if i >= 0 and k})


def lexical(stream: Stream, lo: int, hi: int) -> list[tuple]:
    """Return (actors, places, numbers, dates, occasion) of rows [lo, hi): their event's, each
    kept or not, a stray actor now and then."""
    import numpy as np

    actors, places, figures = vocabularies()
    rng = np.random.default_rng([SEED, 9, lo])
    n, events = hi - lo, stream.event[lo:hi]
    days = (np.floor(stream.start[events] / DAY)).astype(int).tolist()
    stray = np.where(rng.random(n) < 0.2, rng.choice(len(actors), n, p=_zipf(len(actors))), -1)
    columns = zip(
        stream.actors[events].tolist(),
        (rng.random((n, 4)) < 0.85).tolist(),
        stray.tolist(),
        stream.places[events].tolist(),
        (rng.random((n, 2)) < 0.7).tolist(),
        stream.numbers[events].tolist(),
        (rng.random((n, 3)) < 0.7).tolist(),
        days,
        (rng.random(n) < 0.9).tolist(),
        np.where(rng.random(n) < 0.85, stream.occasion[events], -1).tolist(),
        strict=True,
    )
    out = []
    for a, keep_a, extra, p, keep_p, f, keep_f, day, dated, kind in columns:
        named = _keep(a, keep_a, actors) or [actors[a[0]]]
        out.append(
            (
                sorted({*named, actors[extra]}) if extra >= 0 else named,
                _keep(p, keep_p, places),
                _keep(f, keep_f, figures),
                [_day(day)] if dated else [],
                OCCASIONS[kind] if kind >= 0 else None,
            )
        )
    return out


@lru_cache(maxsize=4096)
def _day(offset: int) -> date:
    return END.date() + timedelta(days=offset)


def url(stream: Stream, row: int) -> str:
    """Return the canonical URL of a report."""
    event, rank = int(stream.event[row]), int(stream.rank[row])
    return _url(
        event, _day(int(stream.start[event] // DAY)), f"r{rank}" if rank >= 0 else f"c{row}"
    )


def _url(event: int, day: date, tail: str) -> str:
    return f"https://outlet{event * 7 % 60}.example/{_path(day)}/event-{event}-{tail}"


@lru_cache(maxsize=4096)
def _path(day: date) -> str:
    return f"{day:%Y/%m/%d}"


def event_key(stream: Stream, event: int) -> str:
    """Return the event's id: tasks.events.event_id of its first report's URL."""
    from tasks.events import event_id

    found = stream.ids.get(event)
    if found is None:
        found = stream.ids[event] = event_id(
            _url(event, _day(int(stream.start[event] // DAY)), "r0")
        )
    return found


def published(stream: Stream, lo: int, hi: int) -> list[datetime]:
    """Return the publication times of rows [lo, hi)."""
    return [END + timedelta(seconds=s) for s in stream.at[lo:hi].tolist()]
