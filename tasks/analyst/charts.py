"""Keyword-trend charts: the series read from the warehouse, drawn with matplotlib (Agg) as PNG
or SVG bytes. Plain functions, no Prefect: `sinorus trends --plot` and the HTML report use them.

matplotlib is imported only to draw (1.3 s): every command imports this module through the flows,
and the report after a run that changed no trend draws nothing (ChartCache).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from typing import TYPE_CHECKING

import duckdb

from warehouse import sql

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# 1000 x 450 px at 100 dpi (720 x 324 pt in SVG): wide enough for a month of days and a legend.
WIDTH_PX, HEIGHT_PX, DPI = 1000, 450, 100
SPIKE_GID = "spikes"
# Keywords often move together (one story names several): a marker and dash of its own per line
# keeps overlapping lines apart where colour alone would not.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
DASHES = ("-", "--", "-.", ":")
LINE_GID_PREFIX = "trend-"


@dataclass(frozen=True)
class Trend:
    """Keyword series over consecutive periods (days or ISO weeks), and the spikes among them."""

    by: str  # "day" or "week"
    share: bool  # values are shares (0..1) of the period's stories, else story counts
    periods: list[date]
    series: dict[str, list[float]]  # keyword -> one value per period
    spikes: list[tuple[date, str, float]] = field(default_factory=list)  # period, keyword, ratio
    source: str | None = None
    scope: str = "all"
    spike_factor: float | None = None  # the threshold the spikes passed (trend_settings)
    collections: tuple[str, ...] = ()  # only the stories of the feeds in these collections


def series_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "all",
    by: str = "day",
    since: date | None = None,
    until: date | None = None,
    days: int = 30,
    keywords: Sequence[str] = (),
    top: int = 5,
    source: str | None = None,
    collections: Sequence[str] = (),
) -> list[dict]:
    """Return the rows of warehouse/queries/trends/trends_series.sql as dicts, by period then keyword."""
    cursor = con.execute(
        sql("trends_series"),
        {
            "scope": scope,
            "by": by,
            "since": since,
            "until": until,
            "days": days,
            "keywords": [keyword.lower() for keyword in keywords],
            "top": top,
            "source": source,
            "collections": list(collections),
        },
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def spike_rows(con: duckdb.DuckDBPyConnection, scope: str, first: date, last: date) -> list[dict]:
    """Return the spikes of the view keyword_spikes between two days, as dicts."""
    cursor = con.execute(sql("trends_spikes"), {"scope": scope, "first": first, "last": last})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_trend(
    con: duckdb.DuckDBPyConnection, *, share: bool = False, **query: object
) -> tuple[Trend, list[dict]]:
    """Return the Trend to chart and the rows behind it (arguments as for `series_rows`)."""
    rows = series_rows(con, **query)  # type: ignore[arg-type]
    by = str(query.get("by", "day"))
    scope = str(query.get("scope", "all"))
    periods = sorted({row["period"] for row in rows})
    series: dict[str, list[float]] = {}
    for row in rows:  # ordered by period: each keyword's list follows `periods`
        series.setdefault(row["keyword"], []).append(row["share"] if share else row["stories"])
    spikes: list[tuple[date, str, float]] = []
    factor = None
    if periods:
        last = periods[-1] + timedelta(days=6 if by == "week" else 0)
        for spike in spike_rows(con, scope, periods[0], last):
            if spike["keyword"] in series:
                period = spike["day"] - timedelta(
                    days=spike["day"].weekday() if by == "week" else 0
                )
                spikes.append((period, spike["keyword"], float(spike["ratio"] or 0)))
                factor = float(spike["factor"])
    source = query.get("source")
    collections = tuple(query.get("collections") or ())  # type: ignore[call-overload]
    trend = Trend(by, share, periods, series, spikes, source, scope, factor, collections)  # type: ignore[arg-type]
    return trend, rows


def axis_label(by: str, share: bool, source: str | None = None, collections: bool = False) -> str:
    """Return the y-axis label with its unit, e.g. "stories a day"."""
    if share:
        whose = "the outlet's" if source else "the collection's" if collections else "the"
        return f"share of {whose} {by}'s stories (%)"
    return f"stories a {by}"


def trend_figure(trend: Trend, title: str) -> Figure:
    """Return the chart of a Trend: one line per keyword, spikes as labelled star markers."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=12)
    axes.set_ylabel(axis_label(trend.by, trend.share, trend.source, bool(trend.collections)))
    axes.set_xlabel("ISO week (starting Monday)" if trend.by == "week" else "day (UTC)")
    scale = 100.0 if trend.share else 1.0
    # Markers on every point while they stay legible: a lone day's story is a dot, not nothing.
    few = len(trend.periods) <= 60
    for i, (keyword, values) in enumerate(trend.series.items()):
        axes.plot(
            trend.periods,
            [value * scale for value in values],
            label=keyword,
            marker=MARKERS[i % len(MARKERS)] if few else None,
            linestyle=DASHES[(i // 10) % len(DASHES)] if i >= 10 else DASHES[i % 2],
            markersize=5,
            linewidth=1.8,
            gid=f"{LINE_GID_PREFIX}{keyword}",
        )
    if trend.spikes:
        index = {period: i for i, period in enumerate(trend.periods)}
        points = [
            (period, trend.series[keyword][index[period]] * scale, keyword, ratio)
            for period, keyword, ratio in trend.spikes
            if period in index
        ]
        factor = f"≥ {trend.spike_factor:g}×" if trend.spike_factor else "well above"
        axes.plot(
            [x for x, *_ in points],
            [y for _, y, *_ in points],
            linestyle="none",
            marker="*",
            markersize=16,
            markerfacecolor="#d62728",
            markeredgecolor="black",
            label=f"spike (share {factor} its 7-day baseline)",
            gid=SPIKE_GID,
            zorder=5,
        )
        # one label per star: several keywords spiking on one day share it, one per line
        labels: dict[tuple, list[str]] = {}
        for x, y, keyword, ratio in points:
            labels.setdefault((x, y), []).append(
                f"{keyword} ×{ratio:.1f}" if ratio else f"{keyword} (new)"
            )
        for (x, y), names in labels.items():
            axes.annotate(
                "\n".join(names),
                (x, y),
                xytext=(7, -4),
                textcoords="offset points",
                fontsize=8,
                va="top",
                bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
            )
    if not trend.series:
        axes.text(0.5, 0.5, "no stories in this period", ha="center", transform=axes.transAxes)
    axes.set_ylim(bottom=0)
    if trend.share:
        axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.grid(True, alpha=0.3)
    if trend.series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    return figure


def render(figure: Figure, fmt: str) -> bytes:
    """Return the figure as PNG or SVG bytes (fmt "png" or "svg")."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"a chart is png or svg, not {fmt!r}")
    buffer = io.BytesIO()
    # A fixed date in the SVG's metadata, so the same data gives the same bytes.
    metadata = {"Date": None} if fmt == "svg" else {"Software": "sinorus"}
    figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def trend_chart(trend: Trend, title: str, fmt: str = "png") -> bytes:
    """Return the chart of a Trend as PNG or SVG bytes."""
    return render(trend_figure(trend, title), fmt)


def chart_key(trend: Trend, title: str, fmt: str) -> str:
    """Return a digest of everything a chart is drawn from (the same key: the same bytes)."""
    drawn = repr((trend, title, fmt, WIDTH_PX, HEIGHT_PX, DPI, version("matplotlib")))
    return hashlib.sha256(drawn.encode("utf-8")).hexdigest()


class ChartCache:
    """Charts drawn before (key -> base64 bytes), and those asked for this time."""

    def __init__(self, drawn: object = None) -> None:
        # Read back from a file anyone may edit: what is not key -> text is not a chart.
        items = drawn.items() if isinstance(drawn, dict) else ()
        self.drawn = {k: v for k, v in items if isinstance(k, str) and isinstance(v, str)}
        self.used: dict[str, str] = {}

    def chart(self, trend: Trend, title: str, fmt: str = "png") -> bytes:
        """Return trend_chart(trend, title, fmt), drawn only if no earlier chart has its key."""
        key = chart_key(trend, title, fmt)
        try:
            chart = base64.b64decode(self.drawn[key], validate=True)
        except (KeyError, ValueError):
            chart = trend_chart(trend, title, fmt)
        self.used[key] = base64.b64encode(chart).decode("ascii")
        return chart


def chart_title(trend: Trend) -> str:
    """Return a chart title naming what is counted, the scope, the outlet and the window."""
    what = "Keyword share" if trend.share else "Keyword stories"
    title = f"{what} by {trend.by}"
    if trend.source:
        title += f" — {trend.source}"
    if trend.collections:
        title += f" — {' + '.join(trend.collections)}"
    if trend.periods:
        title += f", {trend.periods[0].isoformat()} to {trend.periods[-1].isoformat()}"
    scope = "news only" if trend.scope == "news" else "news and seed corpus"
    return f"{title} ({scope})"
