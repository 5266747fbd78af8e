"""The report's events: the largest events of its period, each with its reports across outlets and
languages and the first reporter marked; and the events behind each keyword spike (which the
spike alerts name too). Plain functions over one warehouse connection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from datetime import date, timedelta
from html import escape

import duckdb
import pyarrow as pa

from tasks.analyst.report_html import count, link_html, query_rows, table_html, when

TOP_EVENTS = 10  # events listed, the most outlets first
REPORTS_PER_EVENT = 8  # reports listed an event: each outlet's first before any outlet's second
SPIKE_EVENTS = 3  # events named under a spike

EVENTS_CSS = """
.event { margin: 14px 0 22px; } .event h3 { margin-bottom: 2px; }
.badge.first { background: #1a7f37; } tr.first-report td { background: #f0fff4; }
"""


def events_of_period(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[dict]:
    """Return the largest events with a report in [first, last] as rows of report_events.sql:
    one a listed report, events in order."""
    params = {"first": first, "last": last, "top": TOP_EVENTS, "per_event": REPORTS_PER_EVENT}
    return query_rows(con, "report_events", params)


def _event_html(rows: list[dict]) -> str:
    """Return one event (its rows of report_events.sql) as a <div class="event">."""
    event = rows[0]
    languages = ", ".join(event["languages"] or []) or "language unknown"
    keywords = ", ".join(event["top_keywords"] or []) or "-"
    html = [
        f'<div class="event" id="{escape(event["event_id"])}">',
        f"<h3>{escape(event['headline'] or '(no headline)')} <span class=muted>— "
        f"{count(event['outlets'], 'outlet')}, {count(event['reports'], 'report')}; "
        f"{escape(languages)}</span></h3>",
        f"<div class=muted>first report {escape(when(event['first_report_at']))} UTC, latest "
        f"{escape(when(event['last_report_at']))} UTC · keywords: {escape(keywords)} · "
        f"{escape(event['event_id'])}</div>",
    ]
    cells = []
    for row in rows:
        outlet = escape(row["outlet"])
        if row["first_report"]:
            outlet = (
                f'<span class="badge first" title="the first to report it">first</span> {outlet}'
            )
        headline = link_html(row["url"], row["title"] or row["url"] or "(no headline)")
        if row["method"] == "copy":
            headline += " <span class=muted>(a copy)</span>"
        cells.append(
            [outlet, escape(row["language"] or "?"), escape(when(row["published_at"])), headline]
        )
    html.append(
        table_html(
            ["outlet", "language", "published (UTC)", "headline"],
            cells,
            lambda i: "first-report" if rows[i]["first_report"] else "",
            css="event-reports",
        )
    )
    if event["more"]:
        html.append(
            f"<p class=muted>and {count(event['more'], 'more report')}: "
            f"<code>sinorus events show {escape(event['event_id'])}</code> lists them all.</p>"
        )
    html.append("</div>")
    return "\n".join(html)


def events_html(
    con: duckdb.DuckDBPyConnection, last_day: date | None, days: int
) -> tuple[str, set[str]]:
    """Return the events section of the `days` days up to `last_day`, and the ids it lists."""
    if last_day is None:
        return "<p>No stories yet.</p>", set()
    first = last_day - timedelta(days=days - 1)
    rows = events_of_period(con, first, last_day)
    if not rows:
        return f"<p>No event had a report between {first} and {last_day}.</p>", set()
    by_event: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_event[row["event_id"]].append(row)
    intro = (
        f"<p class=muted>The {count(len(by_event), 'event')} with the most outlets (then reports) "
        f"that had a report between {first} and {last_day}, at most {TOP_EVENTS}; each with up "
        f"to {REPORTS_PER_EVENT} of its reports, the first of each outlet before any outlet's "
        'next. <span class="badge first">first</span> marks the first to report it.</p>'
    )
    return intro + "\n".join(_event_html(group) for group in by_event.values()), set(by_event)


def spike_events(
    con: duckdb.DuckDBPyConnection,
    scope: str,
    spikes: Iterable[tuple[date, str]],
    top: int = SPIKE_EVENTS,
) -> dict[tuple[date, str], list[dict]]:
    """Return the events behind each spike (day, keyword) given, most outlets first: event_id,
    headline, outlets, reports, first_report_at."""
    keys = sorted(set(spikes))
    if not keys:
        return {}
    table = pa.table(
        {
            "day": pa.array([day for day, _ in keys], pa.date32()),
            "keyword": pa.array([keyword for _, keyword in keys], pa.string()),
        }
    )
    con.register("spike_keys", table)
    try:
        rows = query_rows(con, "spike_events", {"scope": scope, "top": top})
    finally:
        con.unregister("spike_keys")
    found: dict[tuple[date, str], list[dict]] = defaultdict(list)
    for row in rows:
        found[(row.pop("day"), row.pop("keyword"))].append(row)
    return dict(found)


def spike_events_html(events: list[dict], listed: Set[str]) -> str:
    """Return the line naming the events behind a spike (a link to those the report lists)."""
    if not events:
        return ""
    named = []
    for event in events:
        headline = escape(event["headline"] or "(no headline)")
        if event["event_id"] in listed:
            headline = f'<a href="#{escape(event["event_id"])}">{headline}</a>'
        named.append(
            f'<span class="spike-event" data-event="{escape(event["event_id"])}">{headline} '
            f"({count(event['outlets'], 'outlet')}, {count(event['reports'], 'report')})</span>"
        )
    return f'<p class="spike-events">Events behind it: {"; ".join(named)}</p>'
