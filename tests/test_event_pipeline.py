"""Events in the pipeline and the warehouse: every stored relevant article has one event, copies
their original's; the same commits give the same events; two writers at once never split one;
replay re-assigns after a threshold change; the views against a hand-computed case."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from config import load_settings
from devtools.evaluate_events import FOLDER, load_fixtures
from devtools.newsroom_server import Newsroom
from tasks.dedup import fingerprint
from tasks.event_assignment import DEFAULT_EVENTS, STORED, from_row
from tasks.event_signals import EventSignals
from tasks.events import ActiveEvents, assign
from tasks.load import load_batch
from tasks.records import Article, Assessed, Candidate, Relevance, to_utc
from warehouse import Lake, ensure_warehouse, reader

SETTINGS = load_settings()
DAY1 = datetime(2026, 3, 2)


def _rows(lake: Lake | Path, query: str) -> list[tuple]:
    from tests.conftest import rows

    return rows(lake, query)


def _unit(*weights: float) -> np.ndarray:
    """Return a unit vector of 512 dimensions from its first coordinates."""
    vector = np.zeros(512, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def _made(
    key: str,
    when: datetime,
    embedding: np.ndarray,
    *,
    source: str = "Outlet X",
    language: str = "en",
    text: str | None = None,
    mentions: dict[str, int] | None = None,
    relevant: bool = True,
) -> Assessed:
    """Return a judged article made by hand: its own words (no copy of another unless `text`
    says so) and the event signals given."""
    url = f"https://example.org/{key}"
    words = text or " ".join(f"{key}w{i}" for i in range(80))
    article = Article(
        candidate=Candidate(canonical_url=url, url=url, origin="monitor", source=source),
        url=url,
        fetched_at=when,
        text=words,
        title=f"Headline {key}",
        language=language,
        published_at=when,
        date_source="page",
    )
    signals = EventSignals(key=url, language=language, published_at=when, embedding=embedding)
    return Assessed(
        article=article,
        relevance=Relevance(
            score=1.0 if relevant else 0.0,
            threshold=0.5,
            relevant=relevant,
            china_mentions=1,
            russia_mentions=1,
        ),
        mentions=mentions or {},
        fingerprint=fingerprint(words, article.title, source, when, SETTINGS.dedup),
        signals=signals if relevant else None,
    )


def _commit(lake: Lake, batch: list[Assessed], threshold: float = 0.6) -> None:
    events = DEFAULT_EVENTS.model_copy(update={"threshold": threshold})
    load_batch(lake, batch, [], "test", 24.0, SETTINGS.dedup, events=events)


def _fresh(tmp_path: Path, name: str) -> Lake:
    lake = Lake.at(str(tmp_path / name / "w.sqlite"))
    ensure_warehouse(lake)
    return lake


def _events(lake: Lake) -> dict[str, tuple[str, str]]:
    """Return each article's (event id, method)."""
    found = _rows(lake, "select canonical_url, event_id, method from article_events")
    return {url: (event, method) for url, event, method in found}


# ---- the views, against a hand-computed case ----

A1_TEXT = " ".join(f"summit{i}" for i in range(80))


@pytest.fixture(scope="module")
def views_lake(tmp_path_factory) -> Lake:
    """Two events over two days: A (three reports: two outlets' originals, a third outlet's copy
    of the first) and B (one report); and an off-topic article that has none."""
    lake = _fresh(tmp_path_factory.mktemp("views"), "lake")
    kw = {"putin": 2, "xi": 1}
    _commit(
        lake,
        [
            _made("a1", DAY1 + timedelta(hours=10), _unit(1), text=A1_TEXT, mentions=kw),
            _made("a2", DAY1 + timedelta(hours=12), _unit(1, 0.1), source="Outlet Y",
                  language="ru", mentions={"putin": 1}),
            _made("off", DAY1 + timedelta(hours=13), _unit(0, 0, 1), relevant=False),
        ],
    )  # fmt: skip
    _commit(
        lake,
        [
            _made("b1", DAY1 + timedelta(days=1, hours=8), _unit(0, 1), language="zh",
                  mentions={"gas": 1}),
            _made("a3", DAY1 + timedelta(days=1, hours=9), _unit(0, 0, 0, 1), source="Outlet Z",
                  text=A1_TEXT, mentions=kw),
        ],
    )  # fmt: skip
    return lake


def _id(key: str) -> str:
    from tasks.events import event_id

    return event_id(f"https://example.org/{key}")


def test_article_events_of_the_hand_made_case(views_lake: Lake) -> None:
    assert _events(views_lake) == {
        "https://example.org/a1": (_id("a1"), "new"),
        "https://example.org/a2": (_id("a1"), "joined"),
        "https://example.org/a3": (_id("a1"), "copy"),  # its own signals point elsewhere
        "https://example.org/b1": (_id("b1"), "new"),
    }
    # signals are kept for the articles assigned by their own: not for the copy
    kept = _rows(views_lake, "select canonical_url from event_signals order by all")
    assert [k for (k,) in kept] == [f"https://example.org/{k}" for k in ("a1", "a2", "b1")]
    copy = _rows(views_lake, "select similarity, evidence from article_events where method='copy'")
    assert copy == [(1.0, '{"copy_of": "https://example.org/a1", "dup_method": "text_hash"}')]
    assert _rows(views_lake, "select * from vocabulary_violations") == []


def test_the_events_view(views_lake: Lake) -> None:
    got = _rows(views_lake, "select * from events order by first_report_at")
    assert got == [
        (_id("a1"), DAY1 + timedelta(hours=10), DAY1 + timedelta(days=1, hours=9),
         "Headline a1", 3, 2, 3, ["en", "ru"], [], ["putin", "xi"]),
        (_id("b1"), DAY1 + timedelta(days=1, hours=8), DAY1 + timedelta(days=1, hours=8),
         "Headline b1", 1, 1, 1, ["zh"], [], ["gas"]),
    ]  # fmt: skip


def test_the_event_trends_daily_view(views_lake: Lake) -> None:
    got = _rows(views_lake, "select * from event_trends_daily order by day")
    day1, day2 = DAY1.date(), DAY1.date() + timedelta(days=1)
    # day 2: A is active again (its copy) beside the new B
    assert got == [(day1, 1, 1, 2, 2.0), (day2, 1, 2, 2, 1.0)]


def test_the_event_outlets_view(views_lake: Lake) -> None:
    got = _rows(views_lake, "select * from event_outlets order by event_id, report_order")
    a, b = sorted([_id("a1"), _id("b1")])
    rows = {
        _id("a1"): [
            ("Outlet X", [], DAY1 + timedelta(hours=10), 1, 1, 0.0),
            ("Outlet Y", [], DAY1 + timedelta(hours=12), 1, 2, 2.0),
            ("Outlet Z", [], DAY1 + timedelta(days=1, hours=9), 1, 3, 23.0),
        ],
        _id("b1"): [("Outlet X", [], DAY1 + timedelta(days=1, hours=8), 1, 1, 0.0)],
    }
    assert got == [(event, *row) for event in (a, b) for row in rows[event]]


def test_the_event_coverage_view(views_lake: Lake) -> None:
    # no feed is tagged: every report is under '(none)', first by Outlet X
    got = _rows(views_lake, "select * from event_coverage order by first_report_at")
    assert got == [
        (_id("a1"), "(none)", DAY1 + timedelta(hours=10), "Outlet X", 3, 3, 1, 0.0),
        (_id("b1"), "(none)", DAY1 + timedelta(days=1, hours=8), "Outlet X", 1, 1, 1, 0.0),
    ]


# ---- determinism and the rebuild from the lake ----


def _stream() -> list[list[Assessed]]:
    """Return three batches of reports of four stories, some reports arriving a batch late."""
    rng = np.random.default_rng(7)
    centres = [rng.normal(size=16) for _ in range(4)]
    reports = []
    for n in range(24):
        story = n % 4
        vector = _unit(*(centres[story] + rng.normal(scale=0.25, size=16)))
        when = DAY1 + timedelta(hours=3 * n + story)
        reports.append(_made(f"r{n:02d}", when, vector, source=f"Outlet {n % 5}"))
    return [reports[0:8], reports[8:16], reports[16:24]]


def test_the_same_commits_give_the_same_events_in_any_lake(tmp_path: Path) -> None:
    batches = _stream()
    first, second = _fresh(tmp_path, "one"), _fresh(tmp_path, "two")
    for lake in (first, second):
        for batch in batches:
            _commit(lake, batch)
    assert _events(first) == _events(second)
    # and the same as one in-memory pass: each commit rebuilt its candidates from the lake
    signals = [item.signals for batch in batches for item in batch]
    stored = {url: event for url, (event, _) in _events(first).items()}
    in_memory = {a.key: a.event_id for a in assign(signals, ActiveEvents())}
    assert stored == in_memory
    assert len(set(stored.values())) == 4


def test_stored_signals_give_back_the_assignment(tmp_path: Path) -> None:
    """The embedding is stored as float16: read back, it assigns like the float32 one."""
    lake = _fresh(tmp_path, "signals")
    batches = _stream()
    for batch in batches:
        _commit(lake, batch)
    with reader(lake) as con:
        rows = con.execute(
            "select canonical_url, published_at, language, embedding, actors, places, numbers, "
            "dates, occasion from event_signals order by published_at, canonical_url"
        ).fetchall()
    back = [from_row(*row) for row in rows]
    assert len(back[0].embedding.tobytes()) == 512 * 4 and STORED.itemsize == 2
    again = {a.key: a.event_id for a in assign(back, ActiveEvents())}
    assert again == {url: event for url, (event, _) in _events(lake).items()}


# ---- two writers at once ----


def test_two_writers_committing_at_once_never_split_an_event(tmp_path: Path) -> None:
    """Two threads commit halves of the same stories at once: whichever commits second sees the
    first's events under the writer lock, so each story is one event."""
    lake = _fresh(tmp_path, "concurrent")
    reports = [item for batch in _stream() for item in batch]
    halves = [reports[0::2], reports[1::2]]
    errors: list[BaseException] = []

    def commit(batch: list[Assessed]) -> None:
        try:
            _commit(lake, batch)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=commit, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    found = _rows(lake, "select canonical_url, count(*) from article_events group by all")
    assert len(found) == 24 and all(n == 1 for _, n in found)
    events = _events(lake)
    by_story: dict[int, set[str]] = {}
    for n in range(24):
        by_story.setdefault(n % 4, set()).add(events[f"https://example.org/r{n:02d}"][0])
    assert all(len(ids) == 1 for ids in by_story.values()), by_story
    assert len(set().union(*by_story.values())) == 4


# ---- through the real pipeline ----


@pytest.fixture(scope="module")
def monitored(prefect_harness, newsroom: Newsroom, tmp_path_factory) -> Path:
    """The monitor run once over the sample newsroom; return the lake's catalog."""
    from flows.monitor import monitor
    from tests.conftest import write_config

    tmp = tmp_path_factory.mktemp("event-pipeline")
    db = tmp / "warehouse.sqlite"
    monitor(str(write_config(tmp / "sinorus.toml", newsroom.base_url, db)), None)
    return db


def test_every_stored_relevant_article_has_one_event(monitored: Path) -> None:
    relevant = _rows(monitored, "select count(*) from articles where relevant")[0][0]
    assert relevant > 5
    per_article = _rows(
        monitored,
        "select articles.canonical_url, count(article_events.event_id) from articles "
        "left join article_events using (canonical_url) where articles.relevant group by all",
    )
    assert len(per_article) == relevant and all(n == 1 for _, n in per_article)
    assert _rows(
        monitored,
        "select count(*) from article_events anti join articles using (canonical_url)",
    ) == [(0,)]
    assert _rows(monitored, "select * from vocabulary_violations") == []


def test_copies_share_their_originals_event(monitored: Path) -> None:
    pairs = _rows(
        monitored,
        "select copy.method, copy.event_id = original.event_id from articles "
        "join article_events as copy using (canonical_url) "
        "join article_events as original on original.canonical_url = articles.duplicate_of "
        "where articles.relevant",
    )
    assert pairs, "the sample newsroom has relevant copies of relevant originals"
    assert all(method == "copy" and same for method, same in pairs)
    signals = _rows(
        monitored,
        "select count(*) from event_signals join article_events using (canonical_url) "
        "where method = 'copy'",
    )
    assert signals == [(0,)]


# ---- replay ----


def _eval_articles(event: str) -> list[Article]:
    fixtures = [f for f in load_fixtures(FOLDER) if f.event == event]
    return [
        Article(
            candidate=Candidate(
                canonical_url=f"https://example.org/eval/{f.id}",
                url=f"https://example.org/eval/{f.id}",
                origin="monitor",
                source=f.outlet,
                title=f.title,
            ),
            url=f"https://example.org/eval/{f.id}",
            fetched_at=to_utc(f.published),
            text=f.text,
            title=f.title,
            language=f.language,
            published_at=to_utc(f.published),
            date_source="page",
        )
        for f in fixtures
    ]


def test_replay_reassigns_events_after_a_threshold_change(prefect_harness, tmp_path: Path) -> None:
    from flows.replay import replay
    from tasks.assess import judge_batch

    db = tmp_path / "w.sqlite"
    lake = Lake.at(str(db))
    ensure_warehouse(lake)
    judged = judge_batch(_eval_articles("xi-putin-talks-beijing-2026-05"), SETTINGS)
    assert sum(item.signals is not None for item in judged) >= 4
    load_batch(lake, judged, [], "load", 24.0, SETTINGS.dedup, events=SETTINGS.events)
    before = _events(lake)
    assert len({event for event, _ in before.values()}) == 1  # one talks, six languages

    config = tmp_path / "strict.toml"
    config.write_text("[events]\nthreshold = 1.9\n")
    summary = replay("rules", config_path=str(config), db_path=str(db))
    everything = _events(lake)  # the replay loaded the seed corpus first: events of their own
    after = {url: everything[url] for url in before}
    assert {method for _, method in after.values()} == {"new"}  # nothing reaches 1.9
    assert len({event for event, _ in after.values()}) == len(after)
    assert summary["replay"]["events"] == len(everything)

    config.write_text("[events]\nthreshold = 0.6\n")
    replay("rules", config_path=str(config), db_path=str(db))
    again = _events(lake)
    assert {url: again[url] for url in before} == before


def test_the_events_settings_are_validated_strictly(tmp_path: Path) -> None:
    from config.settings import ConfigError

    config = tmp_path / "bad.toml"
    config.write_text("[events]\nthreshold = 0.6\nwindow = 7\n")
    with pytest.raises(ConfigError, match="events.window"):
        load_settings(str(config))
    config.write_text("[events]\nthreshold = 0\n")
    with pytest.raises(ConfigError, match="events.threshold"):
        load_settings(str(config))


# ---- `sinorus events` and `sinorus events show`, on the hand-made case ----


def _cli(lake: Lake, *args: str):
    from typer.testing import CliRunner

    from sinorus.cli import app

    db = lake.catalog.removeprefix("sqlite:")
    return CliRunner().invoke(app, ["events", *args, "--db", db, "--format", "csv"])


def _table(output: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(output)))


def _listed(lake: Lake, *args: str) -> list[str]:
    result = _cli(lake, *args)
    assert result.exit_code == 0, result.output
    return [row[0] for row in _table(result.output)[1:]]


def test_events_lists_the_most_covered_first(views_lake: Lake) -> None:
    result = _cli(views_lake)
    assert result.exit_code == 0, result.output
    header, first, second = _table(result.output)
    assert header == [
        "event_id", "first_report", "last_report", "outlets", "reports", "languages",
        "top_keywords", "headline",
    ]  # fmt: skip
    assert first == [
        _id("a1"), "2026-03-02 10:00", "2026-03-03 09:00", "3", "3", "en ru", "putin, xi",
        "Headline a1",
    ]  # fmt: skip
    assert second[0] == _id("b1")


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (["--min-outlets", "2"], ["a1"]),
        (["--keyword", "gas"], ["b1"]),
        (["--keyword", "putin"], ["a1"]),
        (["--until", "2026-03-02"], ["a1"]),
        (["--since", "2026-03-03"], ["a1", "b1"]),
        (["--since", "2026-03-04"], []),
        (["--limit", "1"], ["a1"]),
    ],
)
def test_events_filters(views_lake: Lake, args: list[str], keys: list[str]) -> None:
    assert _listed(views_lake, *args) == [_id(key) for key in keys]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "March"], "--since takes a day"),
        (["--min-outlets", "0"], "--min-outlets must be 1 or more"),
        (["--since", "2026-03-04", "--until", "2026-03-01"], "is after --until"),
        (["--collection", "nowhere"], "unknown collection 'nowhere'"),
    ],
)
def test_events_refuses_what_cannot_be_answered(
    views_lake: Lake, args: list[str], message: str
) -> None:
    result = _cli(views_lake, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_events_show_lists_every_report_first_marked(views_lake: Lake) -> None:
    result = _cli(views_lake, "show", _id("a1"))
    assert result.exit_code == 0, result.output
    lines = _table(result.output)[1:]
    assert [(line[0], line[2], line[4], line[5]) for line in lines] == [
        ("*", "Outlet X", "en", "new"),
        ("", "Outlet Y", "ru", "joined"),
        ("", "Outlet Z", "en", "copy"),
    ]
    assert lines[0][-1] == "https://example.org/a1"
    missing = _cli(views_lake, "show", "ev-nothing")
    assert missing.exit_code == 1 and "no event 'ev-nothing'" in missing.output
