"""Events: the assignment's rules on hand-made signals, and its quality on tests/eval/events/."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from devtools.evaluate_events import (
    FLOORS,
    SPLITS,
    EventFixture,
    bcubed,
    below,
    confusable_pairs,
    cross_language,
    dedup_flags,
    load_fixtures,
    merged,
    run_split,
    score,
    signals_of,
)
from tasks.event_signals import EventSignals, dates, event_signals, numbers, occasion
from tasks.events import (
    MEMBER_CAP,
    THRESHOLD,
    WEIGHTS,
    WINDOW,
    ActiveEvents,
    assign,
    best_event,
    event_id,
    pair_score,
)

T0 = datetime(2026, 4, 7, 9, 0, tzinfo=UTC)


def unit(*components: float) -> np.ndarray:
    """Return a unit vector of 512 dimensions starting with the given components."""
    vector = np.zeros(512, dtype=np.float32)
    vector[: len(components)] = components
    return vector / np.linalg.norm(vector)


def report(key: str, hours: float, vector: np.ndarray, **lexical) -> EventSignals:
    return EventSignals(
        key=key,
        language=lexical.pop("language", "en"),
        published_at=T0 + timedelta(hours=hours),
        embedding=vector,
        **lexical,
    )


# Two stories a day apart (directions 1 and 2), each told three times in slightly different
# words, and a third story (direction 3) that comes back after the window.
A, B, C = unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)
HAND_MADE = [
    report("a1", 0, A),
    report("b1", 2, B),
    report("a2", 3, unit(1, 0.3, 0)),
    report("b2", 20, unit(0.2, 1, 0)),
    report("a3", 26, unit(1, 0, 0.4)),
    report("c1", 30, C),
    report("b3", 40, unit(0.1, 1, 0.3)),
]


def groups(keys_to_events: dict[str, str]) -> set[frozenset[str]]:
    by_event: dict[str, set[str]] = {}
    for key, event in keys_to_events.items():
        by_event.setdefault(event, set()).add(key)
    return {frozenset(keys) for keys in by_event.values()}


def test_assignment_is_deterministic_and_groups_the_hand_made_case() -> None:
    first = assign(HAND_MADE, ActiveEvents(), threshold=0.8)
    second = assign(HAND_MADE, ActiveEvents(), threshold=0.8)
    assert first == second
    assert groups({a.key: a.event_id for a in first}) == {
        frozenset({"a1", "a2", "a3"}),
        frozenset({"b1", "b2", "b3"}),
        frozenset({"c1"}),
    }
    assert [a.method for a in first] == [
        "new",
        "new",
        "joined",
        "joined",
        "joined",
        "new",
        "joined",
    ]
    assert first[0].event_id == event_id("a1")
    assert first[2].similarity == pytest.approx(float(unit(1, 0.3, 0)[0]), abs=1e-4)


def test_a_batch_continues_from_the_events_the_previous_one_left() -> None:
    active = ActiveEvents()
    done = assign(HAND_MADE[:3], active, threshold=0.8) + assign(HAND_MADE[3:], active, 0.8)
    assert done == assign(HAND_MADE, ActiveEvents(), threshold=0.8)


def test_an_event_older_than_the_window_is_no_candidate() -> None:
    again = [report("a1", 0, A), report("a-late", WINDOW.total_seconds() / 3600 + 1, A)]
    late = assign(again, ActiveEvents(), threshold=0.8)
    assert late[1].method == "new" and late[1].event_id != late[0].event_id
    within = [report("a1", 0, A), report("a-soon", WINDOW.total_seconds() / 3600 - 1, A)]
    assert assign(within, ActiveEvents(), threshold=0.8)[1].event_id == event_id("a1")


def test_active_events_stay_bounded_by_the_window_and_the_member_cap() -> None:
    active = ActiveEvents()
    stream = [report(f"r{i}", 24 * i, unit(1, 0.01 * (i % 5), 0)) for i in range(60)]
    assign(stream, active, threshold=0.5)
    assert all(e.last_at >= stream[-1].published_at - 2 * WINDOW for e in active)
    assert max(len(e.members) for e in active) == MEMBER_CAP
    # one story reported every day for 60 days: it keeps its first report and its latest ones
    (event,) = active
    assert event.reports == 60 and event.members[0].key == "r0"
    assert [m.key for m in event.members[1:]] == [f"r{i}" for i in range(61 - MEMBER_CAP, 60)]


def test_another_day_or_another_kind_of_occasion_keeps_near_identical_leads_apart() -> None:
    meeting = report("meeting", 0, A, dates=frozenset({date(2026, 4, 7)}), occasion="meeting")
    call = report("call", 24 * 7, unit(1, 0.05, 0), dates=frozenset({date(2026, 4, 14)}))
    phone = report("phone", 24, unit(1, 0.05, 0), occasion="call")
    signing = report("signing", 24, unit(1, 0.05, 0), occasion="signing")
    assert len({a.event_id for a in assign([meeting, call], ActiveEvents(), threshold=0.6)}) == 2
    assert len({a.event_id for a in assign([meeting, phone], ActiveEvents(), threshold=0.6)}) == 2
    # a summit signs agreements: those two kinds may be one event
    assert len({a.event_id for a in assign([meeting, signing], ActiveEvents(), threshold=0.6)}) == 1
    score, evidence = pair_score(meeting, phone)
    assert evidence["other_occasion"] < 0 and score < evidence["cosine"]


def test_days_are_resolved_against_the_publication_day() -> None:
    published = date(2026, 3, 25)  # a Wednesday
    assert dates("They met on Tuesday.", published) == {date(2026, 3, 24)}
    assert dates("The talks on March 21 ended late.", published) == {date(2026, 3, 21)}
    assert dates("Переговоры прошли 21 марта.", published) == {date(2026, 3, 21)}
    assert dates("双方3月21日举行会谈。", published) == {date(2026, 3, 21)}
    assert dates("日本側は21日、発表した。", published) == {date(2026, 3, 21)}
    assert dates("Les entretiens de mardi", published) == {date(2026, 3, 24)}
    assert dates("The December 30 vote", date(2027, 1, 2)) == {date(2026, 12, 30)}
    assert dates("Choy spoke at length", published) == frozenset()


def test_figures_agree_across_languages_and_scales() -> None:
    assert numbers("trade of $78.4 billion, down 3.1%") == {"7.84e+10", "3.1%"}
    assert numbers("товарооборот 78,4 млрд долларов, минус 3,1%") == {"7.84e+10", "3.1%"}
    assert numbers("贸易额为784亿美元，同比下降3.1%") == {"7.84e+10", "3.1%"}
    assert numbers("교역액은 784억 달러") == {"7.84e+10"}
    assert numbers("a 7,000-word statement on 20 documents in 2026") == frozenset()


def test_the_kind_of_occasion_comes_from_the_headline_first() -> None:
    assert occasion("Lavrov, Wang Yi discuss crisis by phone", "a week after they met") == "call"
    assert occasion("王毅应约同俄罗斯外长拉夫罗夫通电话", "") == "call"
    assert occasion("What Moscow wanted", "Officials said the talks went on") == "meeting"
    assert occasion("Gazprom chief says a deal is close", "") == "remarks"
    assert occasion("A quiet day", "Nothing of note.") is None


def test_bcubed_on_a_hand_computed_case() -> None:
    # gold {1,2,3} {4,5}; predicted {1,2} {3,4,5}
    gold = {"1": "x", "2": "x", "3": "x", "4": "y", "5": "y"}
    predicted = {"1": "p", "2": "p", "3": "q", "4": "q", "5": "q"}
    precision, recall, f1 = bcubed(gold, predicted)
    # precision: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1
    assert precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert bcubed(gold, gold) == (1.0, 1.0, 1.0)


def test_the_floors_fail_what_falls_short() -> None:
    good = {"precision": 1.0, "recall": 0.95, "f1": 0.97, "confusable_merged": 0}
    assert below(good, FLOORS) == []
    assert below({**good, "f1": 0.89}, FLOORS) == ["f1 0.890 < 0.9"]
    assert below({**good, "confusable_merged": 1}, FLOORS) == ["confusable pairs merged: 1"]


# ---- the labelled set -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixtures() -> list[EventFixture]:
    return load_fixtures()


@pytest.fixture(scope="module")
def signals(fixtures: list[EventFixture]) -> dict[str, EventSignals]:
    return signals_of(fixtures)


def test_the_event_set_is_there_and_well_formed(fixtures: list[EventFixture]) -> None:
    events = Counter(f.event for f in fixtures)
    assert len(fixtures) >= 60 and len(events) >= 14
    assert len({f.language for f in fixtures}) >= 6
    assert min(events.values()) >= 2
    # whole events per split, and both splits in use
    split_of = {f.event: f.split for f in fixtures}
    assert all(split_of[f.event] == f.split for f in fixtures)
    assert set(split_of.values()) == set(SPLITS)
    # one outlet writes one report of an event
    assert len({(f.event, f.outlet) for f in fixtures}) == len(fixtures)
    for a, b in confusable_pairs():
        assert a in events and b in events and split_of[a] == split_of[b], (a, b)


def test_no_report_is_taken_for_a_copy_of_another(fixtures: list[EventFixture]) -> None:
    assert dedup_flags(fixtures) == []


def test_the_labelled_set_meets_the_floors_on_each_split(
    fixtures: list[EventFixture], signals: dict[str, EventSignals]
) -> None:
    for split in SPLITS:
        part = [f for f in fixtures if f.split == split]
        figures = score(part, run_split(part, signals), confusable_pairs())
        assert below(figures, FLOORS) == [], (split, figures)


def test_confusable_events_stay_apart_even_without_a_window(
    fixtures: list[EventFixture], signals: dict[str, EventSignals]
) -> None:
    # every earlier event a candidate: only the signals keep the meeting and the call apart
    for split in SPLITS:
        part = [f for f in fixtures if f.split == split]
        predicted = run_split(part, signals, window=timedelta(days=10_000))
        assert merged(part, predicted, confusable_pairs()) == []


def test_a_meeting_reported_in_four_languages_is_one_event_and_the_call_another(
    fixtures: list[EventFixture], signals: dict[str, EventSignals]
) -> None:
    part = [f for f in fixtures if f.event.startswith("lavrov-wang-")]
    assert {f.language for f in part} >= {"en", "ru", "zh", "fr", "de"}
    predicted = run_split(part, signals)
    assert groups(predicted) == groups({f.id: f.event for f in part})
    found, total = cross_language(part, predicted)
    assert found == total > 0


def test_event_signals_of_one_article_match_the_batch(
    fixtures: list[EventFixture], signals: dict[str, EventSignals]
) -> None:
    f = fixtures[0]
    alone = event_signals(f.id, f.title, f.text, f.language, f.published)
    assert alone == signals[f.id]
    assert float(alone.embedding @ signals[f.id].embedding) == pytest.approx(1.0, abs=1e-4)


def test_dropping_old_events_keeps_the_others_matched() -> None:
    active = ActiveEvents()
    days = 24 * (2 * WINDOW.days + 2)
    assign([report("a1", 0, A), report("b1", days, B), report("c1", days + 1, C)], active, 0.8)
    assert [e.event_id for e in active] == [event_id("b1"), event_id("c1")]
    later = assign([report("c2", days + 2, unit(0, 0.1, 1)), report("b2", days + 3, B)], active)
    assert [a.event_id for a in later] == [event_id("c1"), event_id("b1")]


def _every_member(signals: EventSignals, active: ActiveEvents) -> tuple[int | None, float]:
    """Return the event and score that scoring every member within the window gives."""
    best: tuple[int | None, float] = (None, -1.0)
    for i, event in enumerate(active):
        if event.first_at - WINDOW <= signals.published_at <= event.last_at + WINDOW:
            for member in event.members:
                score = pair_score(signals, member)[0]
                if score > best[1]:
                    best = (i, score)
    return best if best[1] >= THRESHOLD else (None, -1.0)


def test_members_left_out_of_the_lexical_pass_could_not_have_been_chosen() -> None:
    """best_event scores only the members that another day or another kind of occasion does not
    keep below the threshold: on a stream of stories told on several days with several kinds of
    occasion, it chooses what scoring every member chooses."""
    rng = np.random.default_rng(20)
    stories = [unit(*rng.normal(size=6)) for _ in range(12)]
    kinds = [None, "meeting", "signing", "call", "vote"]
    active, chosen = ActiveEvents(), Counter()
    for k in range(300):
        story = int(rng.integers(12))
        vector = stories[story] + rng.normal(scale=0.04, size=512).astype(np.float32)
        hours = 4.0 * k
        day = (T0 + timedelta(hours=hours)).date()
        named = rng.choice([0, 1, 2, 5], p=[0.3, 0.3, 0.2, 0.2])  # none, that day, later, many
        days = {0: set(), 1: {day}, 2: {day + timedelta(days=3)}}.get(
            int(named), {day - timedelta(days=d) for d in range(5)}
        )
        signals = report(
            f"r{k}",
            hours,
            vector / np.linalg.norm(vector),
            dates=frozenset(days),
            occasion=kinds[int(rng.integers(len(kinds)))],
            actors=frozenset({f"actor{story % 3}"}),
        )
        i, score, _ = best_event(signals, active, WINDOW, WEIGHTS, THRESHOLD)
        assert (i, round(score, 4) if i is not None else -1.0) == pytest.approx(
            _every_member(signals, active), abs=1e-4
        )
        chosen[i is None] += 1
        assign([signals], active)
    assert chosen[True] > 20 and chosen[False] > 100  # both new events and joins were decided
