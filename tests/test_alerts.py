"""Spike alerts: one message per spike and day to a local receiver, never twice, retried after a
failure, only for recent spikes; and through a Prefect notification block."""

from __future__ import annotations

import json
import random
import threading
import tomllib
from collections.abc import Iterator
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from config import load_settings
from config.settings import Alerts
from tasks.analyst.alerts import send_alerts
from tasks.assess import judge_batch
from tasks.load import load_batch
from tasks.location import lake_of
from tasks.records import Article, Candidate, utcnow
from tests.conftest import rows
from warehouse import Lake, writer

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "alerts" / "spikes.toml"
SPEC = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
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


def expected(recent_days: int) -> list[dict]:
    return [e for e in SPEC["expected"] if e["recent_days"] == recent_days]


def check_message(body: dict, spike: dict) -> None:
    """Assert that a received message names the spike's keyword, day, counts and top stories."""
    assert body["title"] == f"Spike: {spike['keyword']} on {spike['day']}"
    message = body["message"]
    assert f"{spike['keyword']!r} spiked on {spike['day']}" in message
    assert f"{spike['stories']} stories from {spike['sources']} sources" in message
    assert f"{spike['share']} of the day's stories against {spike['baseline']}" in message
    listed = [line[2:].rsplit(" (", 1)[0] for line in message.splitlines() if line.startswith("- ")]
    assert sorted(listed) == sorted(spike["titles"])
    for title in spike["titles"]:
        slug = title.lower().replace(" ", "-").replace(":", "")
        assert f"https://news.example.com/{slug}" in message


def test_a_spike_is_announced_once(lake: Lake, receiver: Receiver) -> None:
    alerts = Alerts(url=receiver.url, block="", recent_days=2)
    [spike] = expected(2)

    first = send_alerts(lake, alerts, "run-1")
    assert [(s.keyword, str(s.day)) for s in first.sent] == [(spike["keyword"], spike["day"])]
    assert len(receiver.bodies) == 1
    check_message(receiver.bodies[0], spike)
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
        check_message(body, spike)


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
    check_message(receiver.bodies[1], expected(2)[0])
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
    check_message(receiver.bodies[0], expected(2)[0])
    assert rows(lake, "select target from alerts_sent") == [("block:sinorus-test-alerts",)]
