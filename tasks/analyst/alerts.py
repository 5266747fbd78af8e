"""Alerts: each new spike of the news (view `keyword_spikes`, scope 'news') announced once, with
the events behind it; and, when `[alerts] event_min_outlets` is set, each event reported by that
many outlets (tasks/analyst/event_alerts.py).

At most once. A run first claims what it will announce — a row in `alerts_sent` a spike, in
`event_alerts_sent` an event, written under the warehouse writer (which holds the catalog lock) —
then sends, without holding any lock while it talks to the network. Two monitors at once cannot
both claim one, so nobody is paged twice. A send that reports failure (an HTTP error, a refused
connection, a block that cannot be loaded) gives its claim back, so the next run tries again. Only
a run killed between its claim and its send loses that alert; the spike itself stays in `sinorus
spikes` and the report, the event in `sinorus events`. An alert that reached at least one of two
configured targets counts as sent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Alerts
from tasks.analyst.event_alerts import (
    NewEvent,
    claim_events,
    event_message,
    pending_events,
    release_events,
)
from tasks.analyst.report_events import spike_events
from tasks.analyst.report_html import count
from tasks.records import utcnow
from warehouse import Lake, reader, sql, writer

CLAIMS = pa.schema(
    [
        ("day", pa.date32()),
        ("keyword", pa.string()),
        ("target", pa.string()),
        ("sent_at", pa.timestamp("us")),
        ("run_id", pa.string()),
    ]
)


def _log() -> logging.Logger | logging.LoggerAdapter:
    """Return the flow run's logger inside a run, else the `sinorus` logger."""
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("sinorus")


@dataclass(frozen=True)
class Spike:
    """A spike to announce: the keyword's day, its counts against its baseline, its top stories,
    the events behind it."""

    day: date
    keyword: str
    stories: int
    sources: int
    share: float
    baseline_share: float
    ratio: float | None
    top_stories: list[dict] = field(default_factory=list)  # title, url, source
    events: list[dict] = field(default_factory=list)  # headline, outlets, reports, event_id


@dataclass
class Sent:
    """What one alert pass did: the spikes and events announced, and those whose sending failed."""

    sent: list[Spike] = field(default_factory=list)
    failed: list[Spike] = field(default_factory=list)
    events_sent: list[NewEvent] = field(default_factory=list)
    events_failed: list[NewEvent] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the spikes sent and failed as (day, keyword) strings, the events as ids."""
        return {
            "sent": [f"{s.day} {s.keyword}" for s in self.sent],
            "failed": [f"{s.day} {s.keyword}" for s in self.failed],
            "events_sent": [e.event_id for e in self.events_sent],
            "events_failed": [e.event_id for e in self.events_failed],
        }


def pending_spikes(
    con: duckdb.DuckDBPyConnection, scope: str = "news", recent_days: int = 2, top: int = 3
) -> list[Spike]:
    """Return the spikes of the last `recent_days` days before the latest story not yet sent."""
    params = {"scope": scope, "recent_days": recent_days, "top": top}
    cursor = con.execute(sql("alert_pending"), params)
    columns = [d[0] for d in cursor.description]
    return [
        Spike(**{**dict(zip(columns, row, strict=True)), "top_stories": row[-1] or []})
        for row in cursor.fetchall()
    ]


def with_events(con: duckdb.DuckDBPyConnection, spikes: list[Spike], scope: str) -> list[Spike]:
    """Return the spikes, each with the events behind it (tasks/analyst/report_events.py)."""
    behind = spike_events(con, scope, [(s.day, s.keyword) for s in spikes])
    return [replace(s, events=behind.get((s.day, s.keyword), [])) for s in spikes]


def message(spike: Spike) -> tuple[str, str]:
    """Return the (subject, body) announcing a spike."""
    subject = f"Spike: {spike.keyword} on {spike.day:%Y-%m-%d}"
    versus = f"{spike.ratio:.1f}x" if spike.ratio is not None else "none before"
    lines = [
        f"{spike.keyword!r} spiked on {spike.day:%Y-%m-%d}: {spike.stories} stories from "
        f"{spike.sources} sources, {spike.share:.0%} of the day's stories against "
        f"{spike.baseline_share:.0%} over the 7 days before ({versus}).",
        "",
        "Top stories:",
    ]
    for story in spike.top_stories:
        lines.append(f"- {story['title'] or '(no title)'} ({story['source']})")
        lines.append(f"  {story['url']}")
    if spike.events:
        lines += ["", "Events behind it:"]
    for event in spike.events:
        lines.append(
            f"- {event['headline'] or '(no headline)'} ({count(event['outlets'], 'outlet')}, "
            f"{count(event['reports'], 'report')}; {event['event_id']})"
        )
    return subject, "\n".join(lines)


def target_names(alerts: Alerts) -> str:
    """Return where alerts go, as stored in `alerts_sent.target`: the URL's scheme and host
    (never its path or credentials: webhook paths are secrets), and the block's name."""
    names = []
    if alerts.url:
        parts = urlsplit(alerts.url)
        names.append(
            f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
        )
    if alerts.block:
        names.append(f"block:{alerts.block}")
    return ", ".join(names)


def send_apprise(url: str, subject: str, body: str) -> bool:
    """Return True if the Apprise URL took the notification."""
    import apprise

    client = apprise.Apprise()
    if not client.add(url):
        _log().warning("not an Apprise URL this installation can send to: %s", urlsplit(url).scheme)
        return False
    return bool(client.notify(body=body, title=subject))


def send_block(name: str, subject: str, body: str) -> bool:
    """Return True if the Prefect notification block (`type-slug/name`, or a bare name) sent it."""
    try:
        block = load_block(name)
        with block.raise_on_failure():
            block.notify(body, subject)
    except Exception as exc:  # any failure is retried next run; the reason goes to the log
        _log().warning("notification block %r failed: %s", name, exc)
        return False
    return True


def load_block(name: str):
    """Return the notification block saved under `name` (`type-slug/name`, or a bare name)."""
    from prefect.blocks.core import Block
    from prefect.client.orchestration import get_client

    if "/" not in name:
        with get_client(sync_client=True) as client:
            found = [
                doc
                for doc in client.read_block_documents(include_secrets=False)
                if doc.name == name
            ]
        if len(found) != 1:
            raise LookupError(f"{len(found)} blocks are named {name!r}: name one as type/name")
        name = f"{found[0].block_type.slug}/{name}"
    return Block.load(name)


def deliver(alerts: Alerts, subject: str, body: str) -> bool:
    """Return True if at least one configured target took the message."""
    results = []
    if alerts.url:
        results.append(send_apprise(alerts.url, subject, body))
    if alerts.block:
        results.append(send_block(alerts.block, subject, body))
    return any(results)


def claim(
    lake: Lake, alerts: Alerts, run_id: str | None, scope: str, recent_days: int
) -> tuple[list[Spike], list[NewEvent]]:
    """Return the spikes and events this run claimed (written to `alerts_sent` and
    `event_alerts_sent` under the writer lock)."""
    with writer(lake, "claim alerts", {"run_id": run_id}) as con:
        spikes = pending_spikes(con, scope, recent_days)
        events = pending_events(con, alerts.event_min_outlets, scope, recent_days)
        now, target = utcnow(), target_names(alerts)
        if spikes:
            claims = [
                {"day": s.day, "keyword": s.keyword, "target": target, "sent_at": now,
                 "run_id": run_id}
                for s in spikes
            ]  # fmt: skip
            con.register("alert_claims", pa.Table.from_pylist(claims, schema=CLAIMS))
            con.execute(sql("alert_claim"))
        if events:
            claim_events(con, events, target, now, run_id)
    return spikes, events


def release(lake: Lake, spikes: list[Spike], events: list[NewEvent], run_id: str | None) -> None:
    """Give back the claims on spikes and events whose sending failed, so the next run tries
    them again."""
    with writer(lake, "release alerts", {"run_id": run_id}) as con:
        for spike in spikes:
            con.execute(
                sql("alert_release"), {"day": spike.day, "keyword": spike.keyword, "run_id": run_id}
            )
        release_events(con, events, run_id)


def send_alerts(
    lake: Lake,
    alerts: Alerts,
    run_id: str | None,
    scope: str = "news",
    recent_days: int | None = None,
) -> Sent:
    """Return what was announced: each unsent spike of the recent days (with the events behind
    it) and each unsent recent event of at least `event_min_outlets` outlets, once, to every
    target.

    `recent_days` (default: the config's) bounds how old a spike or an event's latest report may
    be, counted back from the latest story. Nothing is claimed when no target is configured.
    """
    if not (alerts.url or alerts.block) or not lake.exists():
        return Sent()
    days = alerts.recent_days if recent_days is None else recent_days
    run_id = run_id or uuid.uuid4().hex  # a claim is given back by its run's id
    with reader(lake) as con:  # most runs find nothing: no write, no snapshot
        spikes = with_events(con, pending_spikes(con, scope, days), scope)
        if not spikes and not pending_events(con, alerts.event_min_outlets, scope, days):
            return Sent()
    # The events behind a spike are read here, not under the writer lock the claim holds.
    behind = {(s.day, s.keyword): s.events for s in spikes}
    claimed, events = claim(lake, alerts, run_id, scope, days)
    outcome = Sent()
    for spike in claimed:
        spike = replace(spike, events=behind.get((spike.day, spike.keyword), []))
        (outcome.sent if deliver(alerts, *message(spike)) else outcome.failed).append(spike)
    for event in events:
        delivered = deliver(alerts, *event_message(event))
        (outcome.events_sent if delivered else outcome.events_failed).append(event)
    done = outcome.as_dict()
    if outcome.sent or outcome.events_sent:
        _log().info("alerts sent: %s", done["sent"] + done["events_sent"])
    if outcome.failed or outcome.events_failed:
        release(lake, outcome.failed, outcome.events_failed, run_id)
        _log().warning(
            "alerts not sent, tried again next run: %s", done["failed"] + done["events_failed"]
        )
    return outcome


send_alerts_task = task(send_alerts, name="send-alerts", cache_policy=NONE)
