"""The HTML report: one self-contained file (charts as PNG data URIs, CSS inline, nothing fetched
when it is opened) with the keyword trends, the events of the period (tasks/analyst/
report_events.py), the spikes with the stories and events behind them, the collections compared,
the stories new since the previous report, and feed health. Plain functions, no Prefect.
"""

from __future__ import annotations

import json
from collections.abc import Set
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from pathlib import Path

import duckdb

from config.settings import Settings
from tasks.analyst.charts import HEIGHT_PX, WIDTH_PX, ChartCache, chart_title, read_trend
from tasks.analyst.report_events import (
    EVENTS_CSS,
    events_html,
    spike_events,
    spike_events_html,
)
from tasks.analyst.report_html import (
    count,
    data_uri,
    evidence_html,
    link_html,
    query_rows,
    table_html,
    when,
)
from warehouse import Lake, reader, snapshot_reader

SCOPE = "news"  # the report is about the news: the seed corpus stays out
CHART_DAYS = 30  # the charts show the last 30 days up to the latest story
CHART_KEYWORDS = 6
DEFAULT_SINCE = timedelta(days=7)  # "new stories" when there was no earlier report

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24;
       max-width: 1060px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { margin-top: 36px; border-bottom: 2px solid #dde;
     padding-bottom: 4px; } h3 { font-size: 16px; margin: 18px 0 6px; }
.meta { color: #57606a; } .muted { color: #6e7781; font-size: 13px; }
figure { margin: 12px 0; } img.chart { max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #eaeef2; }
th { background: #f6f8fa; } .failed td { background: #fff1f0; }
.story { margin: 8px 0 14px; } .story a { font-weight: 600; }
blockquote { margin: 4px 0 0 0; padding-left: 10px; border-left: 3px solid #d0d7de;
             color: #424a53; font-size: 13px; }
.badge { display: inline-block; background: #d62728; color: #fff; border-radius: 10px;
         padding: 0 8px; font-size: 12px; }
"""


def state_path(out: Path) -> Path:
    """Return the JSON file beside the report that keeps when it was last generated (and its
    charts, base64, to reuse while the trends stay the same)."""
    return out.with_suffix(".json")


def _previous_state(out: Path) -> dict:
    """Return what the previous report at `out` kept beside it ({} if nothing readable)."""
    try:
        state = json.loads(state_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def previous_generation(out: Path) -> datetime | None:
    """Return the naive-UTC time the previous report at `out` was generated, if it is known."""
    try:
        stored = _previous_state(out)["generated_at"]
        return datetime.fromisoformat(stored).astimezone(UTC).replace(tzinfo=None)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def charts_html(
    con: duckdb.DuckDBPyConnection, first_day: date | None, charts: ChartCache | None = None
) -> str:
    """Return the two trend charts (stories a day, share of the day) as <figure>s (drawn unless
    `charts` has them already)."""
    charts = charts if charts is not None else ChartCache()
    html = []
    # The last CHART_DAYS days, but not the empty days before the first story.
    query = {"scope": SCOPE, "days": CHART_DAYS, "top": CHART_KEYWORDS, "since": first_day}
    for share, alt in ((False, "stories a day"), (True, "share of the day's stories")):
        trend, _ = read_trend(con, share=share, **query)
        title = chart_title(trend)
        png = charts.chart(trend, title, "png")
        html.append(
            f'<figure><img class="chart" src="{data_uri(png)}" width="{WIDTH_PX}" '
            f'height="{HEIGHT_PX}" alt="{escape(f"Top keywords, {alt}: {title}")}">'
            "</figure>"
        )
    return "\n".join(html)


def spikes_html(
    con: duckdb.DuckDBPyConnection, last_day: date | None, listed: Set[str] = frozenset()
) -> str:
    """Return the spikes of the chart window with the events and stories behind each (an event
    the report lists, `listed`, linked to)."""
    if last_day is None:
        return "<p>No stories yet.</p>"
    first = last_day - timedelta(days=CHART_DAYS - 1)
    rows = query_rows(
        con, "report_spike_stories", {"scope": SCOPE, "first": first, "last": last_day}
    )
    if not rows:
        return f"<p>No keyword spiked between {first} and {last_day}.</p>"
    behind = spike_events(con, SCOPE, [(row["day"], row["keyword"]) for row in rows])
    html, current = [], None
    for row in rows:
        key = (row["day"], row["keyword"])
        if key != current:
            current = key
            # a keyword absent the week before has no finite ratio: it is new
            ratio = f"×{row['ratio']:.1f}" if row["ratio"] else "new"
            html.append(
                f'<h3><span class="badge">{ratio}</span> '
                f"{escape(row['keyword'])} on {row['day']}: {count(row['spike_stories'], 'story')}"
                f" from {count(row['spike_sources'], 'source')}, {100 * row['share']:.0f}% of the day "
                f"(baseline {100 * row['baseline_share']:.0f}%)</h3>"
                + spike_events_html(behind.get(key, []), listed)
            )
        html.append(
            f'<div class="story">{link_html(row["url"], row["title"] or row["url"])} '
            f"<span class=muted>— {escape(row['source'] or '')}, "
            f"{row['mentions']} mentions</span>"
            f"{evidence_html(row['evidence'], row['relevance'])}</div>"
        )
    return "\n".join(html)


def collections_html(con: duckdb.DuckDBPyConnection, last_day: date | None) -> str:
    """Return the collections compared over the chart window: stories and share of own volume."""
    if last_day is None:
        return "<p>No stories yet.</p>"
    first = last_day - timedelta(days=CHART_DAYS - 1)
    rows = query_rows(con, "report_collections", {"first": first, "last": last_day})
    if not rows:
        return "<p>No feed is in a collection: tag [[feeds]] with <code>collections</code>.</p>"
    columns = ["collection", "outlets", "stories", "articles published", "share of own volume"]
    cells = [
        [
            escape(row["collection"]),
            str(row["outlets"]),
            str(row["stories"]),
            str(row["articles"]),
            "-" if row["share"] is None else f"{100 * row['share']:.1f}%",
        ]
        for row in rows
    ]
    return table_html(columns, cells)


def new_stories_html(con: duckdb.DuckDBPyConnection, since: datetime) -> str:
    """Return the stories stored since `since`, newest first."""
    rows = query_rows(con, "report_new_stories", {"scope": SCOPE, "since": since})
    if not rows:
        return f"<p>No new stories since {when(since)} UTC.</p>"
    html = [f"<p>{len(rows)} new stories since {when(since)} UTC.</p>"]
    for row in rows:
        html.append(
            f'<div class="story">{link_html(row["url"], row["title"] or row["url"])} '
            f"<span class=muted>— {escape(row['source'] or '')}, dated "
            f"{escape(when(row['dated_at']))}; keywords: {escape(row['keywords'] or '-')}</span>"
            f"{evidence_html(row['evidence'], row['relevance'])}</div>"
        )
    return "\n".join(html)


def feeds_html(con: duckdb.DuckDBPyConnection) -> str:
    """Return the feed-health table, failing feeds first."""
    rows = query_rows(con, "report_feed_health", {})
    if not rows:
        return "<p>No feed has been read yet.</p>"
    columns = ["feed", "status", "HTTP", "failures in a row", "entries", "checked", "last ok"]
    cells = [
        [
            link_html(row["url"], row["name"])
            + f'<div class="muted">{escape(row["last_error"] or "")}</div>',
            escape(row["last_status"] or ""),
            escape(str(row["http_status"] or "")),
            str(row["consecutive_failures"] or 0),
            escape(str(row["entries_last"] if row["entries_last"] is not None else "")),
            escape(when(row["last_checked_at"])),
            escape(when(row["last_ok_at"])),
        ]
        for row in rows
    ]
    return table_html(columns, cells, lambda i: "failed" if rows[i]["consecutive_failures"] else "")


def spike_rule(settings: Settings) -> str:
    """Return what makes a spike, in words, from the [trends] config."""
    trends = settings.trends
    return (
        f"A spike: a keyword's share of the day's stories at least {trends.spike_factor:g} times "
        f"its average over the 7 days before, from at least {trends.spike_min_stories} stories "
        f"and {trends.spike_min_sources} sources."
    )


def render_report(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    since: datetime,
    now: datetime,
    charts: ChartCache | None = None,
) -> str:
    """Return the report's HTML, read through one warehouse connection (charts from `charts`
    when it has them)."""
    overview = query_rows(con, "report_overview", {"scope": SCOPE})[0]
    last_day = overview["last_day"]
    first_day = overview["first_day"]
    if first_day and last_day:
        first_day = max(first_day, last_day - timedelta(days=CHART_DAYS - 1))
    run = (
        f"last run {when(overview['last_run_at'])} UTC ({overview['last_run_status']})"
        if overview["last_run_at"]
        else "no run yet"
    )
    header = (
        f"{overview['stories']} news stories from {overview['sources']} sources, "
        f"{overview['first_day'] or '-'} to {last_day or '-'}; {run}"
    )
    events, listed = events_html(con, last_day, CHART_DAYS)
    sections = [
        (
            "Keyword trends",
            f"<p class=muted>The last {CHART_DAYS} days up to the latest story; "
            "the top keywords by stories. Stars mark spikes.</p>"
            + charts_html(con, first_day, charts),
        ),
        ("Events of the period", events),
        (
            "Spikes and the events and stories behind them",
            f"<p class=muted>{escape(spike_rule(settings))} The events behind a spike: the "
            "most covered with a story of its day that mentions its keyword.</p>"
            + spikes_html(con, last_day, listed),
        ),
        (
            "Collections",
            f"<p class=muted>The last {CHART_DAYS} days up to the latest story: each collection's "
            "stories and their share of everything its feeds published (Media Cloud's "
            "normalisation: a collection that publishes more does not look more attentive).</p>"
            + collections_html(con, last_day),
        ),
        ("New stories since the last report", new_stories_html(con, since)),
        ("Feed health", feeds_html(con)),
    ]
    body = "\n".join(f"<section><h2>{escape(t)}</h2>\n{html}</section>" for t, html in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing may load from elsewhere: the report is read offline, mailed, archived.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>sinorus report {escape(when(now))} UTC</title><style>{CSS}{EVENTS_CSS}</style></head>"
        f"<body><h1>China–Russia news monitor</h1><p class=meta>Report generated "
        f"{escape(when(now))} UTC · {escape(header)}</p>\n{body}</body></html>\n"
    )


def write_report(
    lake: Lake,
    settings: Settings,
    out: Path,
    since: date | None = None,
    as_of: str | int | None = None,
) -> Path:
    """Return `out` after writing the HTML report there (and its generation time beside it).

    "New stories" are those stored since `since` (UTC midnight), else since the previous report
    at `out`, else in the last 7 days. `as_of` reads the warehouse as it was (a snapshot id or
    a UTC time).
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    start = (
        datetime.combine(since, time())
        if since is not None
        else previous_generation(out) or now - DEFAULT_SINCE
    )
    # A run that changed no trend gets the previous report's charts back, not drawn again (2 s).
    charts = ChartCache(_previous_state(out).get("charts"))
    with snapshot_reader(lake, as_of) if as_of is not None else reader(lake) as con:
        html = render_report(con, settings, start, now, charts)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)  # a reader never sees half a report
    state = {
        "generated_at": now.replace(tzinfo=UTC).isoformat(),
        "since": start.isoformat(),
        "charts": charts.used,
    }
    state_path(out).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return out
