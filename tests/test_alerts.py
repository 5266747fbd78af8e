"""Alerts: one message per spike and day to a local receiver, never twice, retried after a
failure, only for recent spikes, naming the events behind each; and through a Prefect
notification block. Event alerts: each event of enough outlets announced once, with its first
reporter, only while recent, again never twice and retried after a failure."""

from __future__ import annotations

import json
import random
import threading
import tomllib
from collections.abc import Iterator
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from config import load_settings
from config.settings import Alerts
from tasks.analyst.alerts import send_alerts
from tasks.assess import judge_batch
from tasks.dedup import fingerprint
from tasks.event_signals import EventSignals
from tasks.load import load_batch
from tasks.location import lake_of
from tasks.records import Article, Assessed, Candidate, Relevance, utcnow
from tests.conftest import rows
from warehouse import Lake, ensure_warehouse, writer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "alerts"
FIXTURE = FIXTURES / "spikes.toml"
SPEC = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
EVENTS = tomllib.loads((FIXTURES / "events.toml").read_text(encoding="utf-8"))
# Filler that names no configured keyword, so that each text counts only its group's keywords.
FILLER = (
    "harbour ledger copper river winter freight tariff border customs rail bridge corridor "
    "grain timber nickel bank payment clearing ministry delegation envoy treaty summit forum "
    "port terminal convoy logistics warehouse insurance shipping tanker fleet airport visa "
    "tourism students exchange university factory turbine engine component supplier contract "
    "tender"
)
WORDS = FILLER.split()


class Receiver:
    """A local webhook on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                receiver.bodies.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver as an Apprise json:// URL."""
        return f"json://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def text(rng: random.Random, keywords: list[str]) -> str:
    """Return a distinct story text naming China, Russia and the keywords."""

    def filler(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    named = " and ".join(keywords)
    return "\n".join(
        [
            f"China and Russia discussed {named} in Moscow on {filler(6)}.",
            f"Beijing and Moscow said the {named} talks covered {filler(12)}.",
            f"Officials from China and Russia added that {filler(40)}.",
            f"{filler(40)}.",
        ]
    )


def articles() -> list[Article]:
    """Return the fixture's stories as extracted articles."""
    rng, found = random.Random(7), []
    for group in SPEC["stories"]:
        published = datetime.combine(date.fromisoformat(group["day"]), time(9))
        for title in group["titles"]:
            url = "https://news.example.com/" + title.lower().replace(" ", "-").replace(":", "")
            candidate = Candidate(
                canonical_url=url,
                url=url,
                origin="monitor",
                source=group["source"],
                title=title,
                published_at=published,
            )
            found.append(
                Article(
                    candidate=candidate,
                    url=url,
                    fetched_at=utcnow(),
                    text=text(rng, group["keywords"]),
                    title=title,
                    language="en",
                    published_at=published,
                    date_source="page",
                )
            )
    return found


def spiky_lake(folder: Path) -> Lake:
    """Return a lake under `folder` holding the fixture's week of stories."""
    settings = load_settings().with_db(folder / "w.sqlite")
    lake = lake_of(settings)
    judged = judge_batch(articles(), settings)
    assert all(item.relevance.relevant for item in judged)
    loaded = load_batch(lake, judged, [], "load", 24, settings.dedup)
    assert loaded.inserted == len(judged)
    return lake


@pytest.fixture(scope="module")
def spiky(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The fixture's lake, built once for the module (each test clears its alerts)."""
    return spiky_lake(tmp_path_factory.mktemp("spiky"))


@pytest.fixture
def lake(spiky: Lake) -> Lake:
    """The spiky lake with no alert sent yet."""
    with writer(spiky, "test: forget alerts") as con:
        con.execute("delete from alerts_sent")
    return spiky


AXES = {
    name: axis
    for axis, name in enumerate(
        dict.fromkeys(r["event"] for r in EVENTS["reports"] + EVENTS["later"])
    )
}


def event_report(spec: dict) -> Assessed:
    """Return a report of the events fixture judged by hand: relevant, words of its own (a copy
    of none), its keyword mentioned, and its event's lead embedding (one axis an event)."""
    settings = load_settings()
    when = spec["at"]
    slug = f"{spec['event']}-{when:%d%H%M}".replace(" ", "-")
    url = f"https://{spec['outlet'].lower().replace(' ', '')}.example.com/{slug}"
    words = " ".join(f"{spec['outlet']}{slug}w{i}".replace(" ", "") for i in range(80))
    embedding = np.zeros(512, dtype=np.float32)
    embedding[AXES[spec["event"]]] = 1.0
    candidate = Candidate(canonical_url=url, url=url, origin="monitor", source=spec["outlet"])
    article = Article(
        candidate=candidate,
        url=url,
        fetched_at=when,
        text=words,
        title=spec["title"],
        language=spec["language"],
        published_at=when,
        date_source="page",
    )
    return Assessed(
        article=article,
        relevance=Relevance(
            score=9.0, threshold=3.0, relevant=True, china_mentions=2, russia_mentions=2
        ),
        mentions={spec["keyword"]: 2},
        fingerprint=fingerprint(words, spec["title"], spec["outlet"], when, settings.dedup),
        signals=EventSignals(
            key=url, language=spec["language"], published_at=when, embedding=embedding
        ),
    )


def commit_reports(lake: Lake, specs: list[dict]) -> None:
    """Commit the reports as one batch, as a monitor run would."""
    load_batch(lake, [event_report(spec) for spec in specs], [], "load", 24, load_settings().dedup)


def events_lake(folder: Path) -> Lake:
    """Return a lake under `folder` holding the events fixture (its late reports committed
    last), after checking that its events came out as the fixture says."""
    lake = Lake.at(str(folder / "w.sqlite"))
    ensure_warehouse(lake)
    commit_reports(lake, [r for r in EVENTS["reports"] if not r.get("late")])
    commit_reports(lake, [r for r in EVENTS["reports"] if r.get("late")])
    grouped = rows(
        lake,
        "select list(a.title order by a.title) from article_events e "
        "join articles a using (canonical_url) group by e.event_id order by 1",
    )
    wanted: dict[str, list[str]] = {}
    for report in EVENTS["reports"]:
        wanted.setdefault(report["event"], []).append(report["title"])
    assert sorted(titles for (titles,) in grouped) == sorted(sorted(t) for t in wanted.values())
    return lake


def first_title(event: str) -> str:
    """Return the title of the event's first report in the fixture (its headline)."""
    return min((r["at"], r["title"]) for r in EVENTS["reports"] if r["event"] == event)[1]


def expected(recent_days: int) -> list[dict]:
    return [e for e in SPEC["expected"] if e["recent_days"] == recent_days]


def events_behind(lake: Lake, day: str, keyword: str, top: int = 3) -> list[str]:
    """Return the lines a spike's message must name its events by, counted here from the stored
    rows: the events with a news story of that day mentioning the keyword, most outlets first
    (then reports, the earliest), as "- headline (n outlets, m reports; id)"."""
    reports = rows(
        lake,
        "select e.event_id, coalesce(a.source, '(unknown)'), e.published_at, a.canonical_url, "
        "a.title from article_events e join articles a using (canonical_url)",
    )
    behind = {
        event
        for (event,) in rows(
            lake,
            "select e.event_id from article_events e join articles a using (canonical_url) "
            "join keyword_mentions m using (canonical_url) "
            "where a.relevant and a.duplicate_of is null and a.origin <> 'seed' "
            "and cast(coalesce(a.published_at, a.fetched_at) as date) = cast(? as date) "
            "and m.keyword = ?",
            [day, keyword],
        )
    }
    events = {}
    for event in behind:
        own = sorted(
            (at, url, title, outlet) for e, outlet, at, url, title in reports if e == event
        )
        outlets = len({outlet for *_, outlet in own})
        events[event] = ((-outlets, -len(own), own[0][0], event), own[0][2], outlets, len(own))
    ranked = sorted(events.items(), key=lambda item: item[1][0])[:top]
    return [
        f"- {headline} ({outlets} outlet{'s' * (outlets != 1)}, "
        f"{count} report{'s' * (count != 1)}; {event})"
        for event, (_, headline, outlets, count) in ranked
    ]


def section(message: str, heading: str) -> list[str]:
    """Return the lines of a message's list under `heading` (up to the next blank line)."""
    lines = message.splitlines()
    if heading not in lines:
        return []
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def check_message(body: dict, spike: dict, lake: Lake) -> None:
    """Assert that a received message names the spike's keyword, day, counts, top stories and
    the events behind it."""
    assert body["title"] == f"Spike: {spike['keyword']} on {spike['day']}"
    message = body["message"]
    assert f"{spike['keyword']!r} spiked on {spike['day']}" in message
    assert f"{spike['stories']} stories from {spike['sources']} sources" in message
    assert f"{spike['share']} of the day's stories against {spike['baseline']}" in message
    stories = section(message, "Top stories:")
    listed = [line[2:].rsplit(" (", 1)[0] for line in stories if line.startswith("- ")]
    assert sorted(listed) == sorted(spike["titles"])
    for title in spike["titles"]:
        slug = title.lower().replace(" ", "-").replace(":", "")
        assert f"https://news.example.com/{slug}" in message
    named = events_behind(lake, spike["day"], spike["keyword"])
    assert named, "a spike has stories, and every stored story has an event"
    assert section(message, "Events behind it:") == named


def test_a_spike_is_announced_once(lake: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    [spike] = expected(2)

    first = send_alerts(lake, alerts, "run-1")
    assert [(s.keyword, str(s.day)) for s in first.sent] == [(spike["keyword"], spike["day"])]
    assert len(receiver.bodies) == 1
    check_message(receiver.bodies[0], spike, lake)
    assert rows(lake, "select cast(day as varchar), keyword, target, run_id from alerts_sent") == [
        (spike["day"], spike["keyword"], f"json://127.0.0.1:{receiver.port}", "run-1")
    ]

    again = send_alerts(lake, alerts, "run-2")
    assert again.sent == [] and again.failed == []
    assert len(receiver.bodies) == 1


def test_older_spikes_alert_only_within_recent_days(lake: Lake, receiver: Receiver) -> None:
    """The config says 2 days; a wider window, given as a parameter, reaches the older spike."""
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    send_alerts(lake, alerts, "run-1", recent_days=7)
    spikes = sorted(expected(7), key=lambda e: e["day"])
    assert len(receiver.bodies) == len(spikes) == 2
    for body, spike in zip(receiver.bodies, spikes, strict=True):
        check_message(body, spike, lake)


def test_a_failed_send_records_nothing_and_is_retried(lake: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    receiver.status = 500
    failed = send_alerts(lake, alerts, "run-1")
    assert len(receiver.bodies) == 1  # it was tried ...
    assert [s.keyword for s in failed.failed] == ["Power of Siberia"] and failed.sent == []
    assert rows(lake, "select count(*) from alerts_sent") == [(0,)]  # ... and its claim given back

    receiver.status = 200
    retried = send_alerts(lake, alerts, "run-2")
    assert [s.keyword for s in retried.sent] == ["Power of Siberia"]
    assert len(receiver.bodies) == 2
    check_message(receiver.bodies[1], expected(2)[0], lake)
    assert rows(lake, "select run_id from alerts_sent") == [("run-2",)]


def test_a_receiver_that_is_not_there_is_retried(lake: Lake, receiver: Receiver) -> None:
    receiver.server.shutdown()
    receiver.server.server_close()
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    assert [s.keyword for s in send_alerts(lake, alerts, "run-1").failed] == ["Power of Siberia"]
    assert rows(lake, "select count(*) from alerts_sent") == [(0,)]


def test_two_monitors_at_once_send_one_message(lake: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    outcomes: list = []
    start = threading.Barrier(2)

    def monitor(run_id: str) -> None:
        start.wait()
        outcomes.append(send_alerts(lake, alerts, run_id))

    threads = [threading.Thread(target=monitor, args=(f"run-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(receiver.bodies) == 1
    assert sorted(len(outcome.sent) for outcome in outcomes) == [0, 1]
    assert rows(lake, "select count(*) from alerts_sent") == [(1,)]


def test_no_target_claims_nothing(lake: Lake) -> None:
    outcome = send_alerts(lake, Alerts(url="", block="", recent_days=7), "run-1")
    assert outcome.sent == [] and outcome.failed == []
    assert rows(lake, "select count(*) from alerts_sent") == [(0,)]


def test_a_prefect_notification_block_sends_the_alert(
    prefect_harness, lake: Lake, receiver: Receiver
) -> None:
    """A Custom Webhook block saved on the Prefect server, named in the config by its bare name."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    CustomWebhookNotificationBlock(
        name="sinorus alerts",
        url=f"http://127.0.0.1:{receiver.port}/block",
        json_data={"title": "{{subject}}", "message": "{{body}}"},
    ).save("sinorus-test-alerts", overwrite=True)
    alerts = Alerts(url="", block="sinorus-test-alerts", recent_days=2)
    assert [s.keyword for s in send_alerts(lake, alerts, "run-1").sent] == ["Power of Siberia"]
    assert len(receiver.bodies) == 1
    check_message(receiver.bodies[0], expected(2)[0], lake)
    assert rows(lake, "select target from alerts_sent") == [("block:sinorus-test-alerts",)]


# ---- the events fixture: events of known outlets and first reporters ----


@pytest.fixture(scope="module")
def eventful(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The events fixture's lake, built once for the module (each test clears its alerts)."""
    return events_lake(tmp_path_factory.mktemp("eventful"))


@pytest.fixture
def events(eventful: Lake) -> Lake:
    """The events lake with no alert sent yet."""
    with writer(eventful, "test: forget alerts") as con:
        con.execute("delete from alerts_sent")
        con.execute("delete from event_alerts_sent")
    return eventful


def by_kind(bodies: list[dict]) -> tuple[list[dict], list[dict]]:
    """Return the received spike messages and event messages."""
    spikes = [b for b in bodies if b["title"].startswith("Spike: ")]
    events = [b for b in bodies if b["title"].startswith("Event: ")]
    assert len(spikes) + len(events) == len(bodies)
    return spikes, events


def first_reports(message: str) -> list[tuple[str, str]]:
    """Return the (outlet, title) of an event message's first reports, in order."""
    found = []
    for line in section(message, "Each outlet's first report:"):
        if line.startswith("- "):
            outlet, rest = line[2:].split(" [", 1)
            found.append((outlet, rest.split(": ", 1)[1]))
    return found


def outlets_in_order(event: str, specs: list[dict]) -> list[tuple[str, str]]:
    """Return each outlet's first report of the event in the fixture, in publication order."""
    seen: dict[str, tuple] = {}
    for spec in sorted((s for s in specs if s["event"] == event), key=lambda s: s["at"]):
        seen.setdefault(spec["outlet"], (spec["outlet"], spec["title"]))
    return list(seen.values())


def check_event_message(body: dict, event: str, specs: list[dict]) -> None:
    """Assert that an event message names its headline, outlets, first reporter and reports."""
    listed = outlets_in_order(event, specs)
    headline = first_title(event)
    assert body["title"] == f"Event: {headline} ({len(listed)} outlets)"
    message = body["message"]
    assert f"{len(listed)} outlets have reported {headline!r}" in message
    assert f"First reported by {listed[0][0]}." in message
    assert first_reports(message) == listed


def test_a_spike_names_the_events_behind_it(events: Lake, receiver: Receiver) -> None:
    """The three events of most outlets with a story of the spike's day that mentions its
    keyword; the event alerts stay off (event_min_outlets = 0)."""
    sent = send_alerts(events, Alerts(url=receiver.url, block="", recent_days=2), "run-1")
    assert [(s.keyword, str(s.day)) for s in sent.sent] == [("gas", "2026-03-07")]
    assert sent.events_sent == []
    assert rows(events, "select count(*) from event_alerts_sent") == [(0,)]
    [body] = receiver.bodies
    assert "'gas' spiked on 2026-03-07: 10 stories from 7 sources" in body["message"]
    named = section(body["message"], "Events behind it:")
    assert named == events_behind(events, "2026-03-07", "gas")
    assert [line[2:].rsplit(" (", 1)[0] for line in named] == [
        first_title("gas deal"),
        first_title("gas price"),
        first_title("gas route"),
    ]
    assert "(4 outlets, 4 reports; ev-" in named[0] and "(1 outlet, 3 reports; ev-" in named[2]


def test_an_event_of_enough_outlets_is_announced_once(events: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2, event_min_outlets=3)
    first = send_alerts(events, alerts, "run-1")
    spikes, announced = by_kind(receiver.bodies)
    assert len(spikes) == 1 and len(announced) == 1
    check_event_message(announced[0], "gas deal", EVENTS["reports"])
    [event] = first.events_sent
    assert rows(events, "select event_id, outlets, target, run_id from event_alerts_sent") == [
        (event.event_id, 4, f"json://127.0.0.1:{receiver.port}", "run-1")
    ]
    assert f"sinorus events show {event.event_id}" in announced[0]["message"]

    again = send_alerts(events, alerts, "run-2")
    assert again.events_sent == again.events_failed == again.sent == []
    assert len(receiver.bodies) == 2


def test_older_events_alert_only_within_recent_days(events: Lake, receiver: Receiver) -> None:
    """ "treaty" had three outlets five days before the latest story: only a wider window, given
    as a parameter, reaches it; "bond" and "swap" (two outlets) never reach three."""
    alerts = Alerts(url=receiver.url, block="", recent_days=2, event_min_outlets=3)
    send_alerts(events, alerts, "run-1", recent_days=7)
    _, announced = by_kind(receiver.bodies)
    assert len(announced) == 2
    check_event_message(announced[0], "treaty", EVENTS["reports"])
    check_event_message(announced[1], "gas deal", EVENTS["reports"])


def test_an_event_that_grows_past_the_threshold_is_announced_then(
    tmp_path: Path, receiver: Receiver
) -> None:
    lake = events_lake(tmp_path)
    alerts = Alerts(url=receiver.url, block="", recent_days=2, event_min_outlets=3)
    assert [first_title("gas deal")] == [
        e.headline for e in send_alerts(lake, alerts, "run-1").events_sent
    ]
    commit_reports(lake, EVENTS["later"])  # "gas price" reaches a third outlet
    grown = send_alerts(lake, alerts, "run-2")
    assert [e.headline for e in grown.events_sent] == [first_title("gas price")]
    _, announced = by_kind(receiver.bodies)
    assert len(announced) == 2
    check_event_message(announced[1], "gas price", EVENTS["reports"] + EVENTS["later"])
    assert rows(lake, "select outlets, run_id from event_alerts_sent order by run_id") == [
        (4, "run-1"),
        (3, "run-2"),
    ]


def test_a_failed_event_send_is_given_back_and_retried(events: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2, event_min_outlets=3)
    receiver.status = 500
    failed = send_alerts(events, alerts, "run-1")
    assert [e.headline for e in failed.events_failed] == [first_title("gas deal")]
    assert failed.events_sent == [] and len(receiver.bodies) == 2  # the spike's and the event's
    assert rows(events, "select count(*) from event_alerts_sent") == [(0,)]

    receiver.status = 200
    retried = send_alerts(events, alerts, "run-2")
    assert [e.headline for e in retried.events_sent] == [first_title("gas deal")]
    assert rows(events, "select run_id from event_alerts_sent") == [("run-2",)]


def test_two_monitors_at_once_announce_an_event_once(events: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2, event_min_outlets=3)
    start = threading.Barrier(2)

    def monitor(run_id: str) -> None:
        start.wait()
        send_alerts(events, alerts, run_id)

    threads = [threading.Thread(target=monitor, args=(f"run-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spikes, announced = by_kind(receiver.bodies)
    assert len(spikes) == 1 and len(announced) == 1
    assert rows(events, "select count(*) from event_alerts_sent") == [(1,)]
