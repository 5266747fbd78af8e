"""Event alerts: each event reported by at least `[alerts] event_min_outlets` outlets, announced
once, as spikes are (tasks/analyst/alerts.py sends both).

An event qualifies while it is recent (a report within `recent_days` days before the latest story:
a backfill of past years pages nobody) and from the run that first sees it with enough outlets,
so an event that grows past the threshold is announced when it does. Claimed in
`event_alerts_sent` under the writer lock before it is sent, given back if sending fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from warehouse import sql

CLAIMS = pa.schema(
    [
        ("event_id", pa.string()),
        ("outlets", pa.int32()),
        ("target", pa.string()),
        ("sent_at", pa.timestamp("us")),
        ("run_id", pa.string()),
    ]
)
LISTED_OUTLETS = 10  # outlets whose first report a message lists; the rest are counted


@dataclass(frozen=True)
class NewEvent:
    """An event to announce: its headline, span, counts, and each outlet's first report in order
    (outlet, language, published_at, title, url)."""

    event_id: str
    headline: str | None
    first_report_at: datetime
    last_report_at: datetime
    reports: int
    outlets: int
    languages: list[str]
    outlet_reports: list[dict] = field(default_factory=list)

    @property
    def first_outlet(self) -> str:
        """Return the outlet that reported it first."""
        return self.outlet_reports[0]["outlet"] if self.outlet_reports else "(unknown)"


def pending_events(
    con: duckdb.DuckDBPyConnection, min_outlets: int, scope: str = "news", recent_days: int = 2
) -> list[NewEvent]:
    """Return the recent events of at least `min_outlets` outlets not yet announced (none when
    `min_outlets` is 0: the alert kind is off)."""
    if min_outlets <= 0:
        return []
    params = {"scope": scope, "recent_days": recent_days, "min_outlets": min_outlets}
    cursor = con.execute(sql("event_alert_pending"), params)
    columns = [d[0] for d in cursor.description]
    return [NewEvent(**dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]


def event_message(event: NewEvent) -> tuple[str, str]:
    """Return the (subject, body) announcing an event."""
    headline = event.headline or "(no headline)"
    subject = f"Event: {headline} ({event.outlets} outlets)"
    lines = [
        f"{event.outlets} outlets have reported {headline!r} ({event.reports} reports in "
        f"{', '.join(event.languages) or 'unknown languages'}), from "
        f"{event.first_report_at:%Y-%m-%d %H:%M} to {event.last_report_at:%Y-%m-%d %H:%M} UTC.",
        f"First reported by {event.first_outlet}.",
        "",
        "Each outlet's first report:",
    ]
    for report in event.outlet_reports[:LISTED_OUTLETS]:
        lines.append(
            f"- {report['outlet']} [{report['language'] or '?'}] "
            f"{report['published_at']:%Y-%m-%d %H:%M}: {report['title'] or '(no title)'}"
        )
        lines.append(f"  {report['url']}")
    if len(event.outlet_reports) > LISTED_OUTLETS:
        lines.append(f"… and {len(event.outlet_reports) - LISTED_OUTLETS} more outlets")
    lines += ["", f"sinorus events show {event.event_id}"]
    return subject, "\n".join(lines)


def claim_events(
    con: duckdb.DuckDBPyConnection,
    events: list[NewEvent],
    target: str,
    now: datetime,
    run_id: str | None,
) -> None:
    """Write the claims on `events` (the caller holds the writer)."""
    claims = [
        {"event_id": e.event_id, "outlets": e.outlets, "target": target, "sent_at": now,
         "run_id": run_id}
        for e in events
    ]  # fmt: skip
    con.register("event_alert_claims", pa.Table.from_pylist(claims, schema=CLAIMS))
    try:
        con.execute(sql("event_alert_claim"))
    finally:
        con.unregister("event_alert_claims")


def release_events(
    con: duckdb.DuckDBPyConnection, events: list[NewEvent], run_id: str | None
) -> None:
    """Give back this run's claims on `events` (the caller holds the writer)."""
    for event in events:
        con.execute(sql("event_alert_release"), {"event_id": event.event_id, "run_id": run_id})
