"""The read command `sinorus trends`: keyword trends, on the latest snapshot or an earlier one.

It never creates anything: a catalog that is not there is an error that says so.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from config import Settings
from sinorus.console import render_rows
from sinorus.options import (
    AsOfOption,
    ConfigOption,
    DbOption,
    console,
    errors,
    fail,
    lake_or_exit,
    settings_or_exit,
)
from sinorus.query_commands import _as_of, _query
from warehouse import WarehouseError, WarehouseMissing, reader, snapshot_reader, sql


def print_trends(
    settings: Settings,
    days: int,
    top: int,
    as_of: str | int | None = None,
    fmt: str = "table",
    scope: str = "all",
) -> None:
    columns, rows = _query(
        settings, sql("top_keywords"), {"days": days, "top": top, "scope": scope}, as_of
    )
    title = f"Keyword trends: top {top} keywords a day (stories, mentions, share of the day)"
    if scope != "all":
        title += f", scope {scope}"
    if as_of is not None:
        title += f", as of {as_of}"
    render_rows(console, columns, rows, fmt, title=title)


def _read_trend(settings: Settings, as_of: str | int | None, share: bool, query: dict):
    """Return the Trend and its rows (tasks/analyst/charts.py); exits 1 when there is no warehouse."""
    import duckdb

    from tasks.analyst.charts import read_trend

    lake = lake_or_exit(settings)
    try:
        with snapshot_reader(lake, as_of) if as_of is not None else reader(lake) as con:
            return read_trend(con, share=share, **query)
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    except duckdb.Error as exc:
        raise fail(str(exc).strip(), 1) from None


def trend_table(trend, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Return the columns and rows of a series table (periods where a keyword had stories)."""
    spikes = {(period, keyword): ratio for period, keyword, ratio in trend.spikes}
    period = "week" if trend.by == "week" else "day"
    values = ["share_pct", f"{period}_stories"] if trend.share else ["stories", "mentions"]
    columns = [period, "keyword", *values, "sources", "spike_ratio"]
    table = []
    for row in rows:
        if not row["stories"]:
            continue
        label = row["period"]
        if trend.by == "week":
            year, week, _ = label.isocalendar()
            label = f"{year}-W{week:02d}"
        shown = (
            [round(100 * row["share"], 1), row["total"]]
            if trend.share
            else [row["stories"], row["mentions"]]
        )
        ratio = spikes.get((row["period"], row["keyword"]))
        table.append(
            (label, row["keyword"], *shown, row["sources"], round(ratio, 1) if ratio else None)
        )
    return columns, table


def _write_plot(trend, plot: Path) -> None:
    from tasks.analyst.charts import chart_title, trend_chart

    fmt = plot.suffix.lower().lstrip(".")
    plot.write_bytes(trend_chart(trend, chart_title(trend), fmt))
    errors.print(f"chart written to {plot}", highlight=False)


def check_collections(settings: Settings, asked: list[str], as_of: str | int | None = None) -> None:
    """Exit 2 naming the known collections when one asked for is not in the warehouse."""
    _, rows = _query(settings, sql("known_collections"), as_of=as_of)
    known = {name: outlets for name, outlets in rows}
    unknown = [name for name in asked if name not in known]
    if not unknown:
        return
    listed = ", ".join(
        f"{name} ({outlets} outlet{'' if outlets == 1 else 's'})" for name, outlets in known.items()
    )
    message = f"unknown collection {', '.join(map(repr, unknown))}: " + (
        f"the warehouse knows {listed}"
        if known
        else "the warehouse has none yet (tag [[feeds]] with `collections` and run)"
    )
    configured = {name for feed in settings.feeds for name in feed.collections}
    pending = [name for name in unknown if name in configured]
    if pending:
        message += (
            f"; {', '.join(map(repr, pending))} is in the config: the tags reach the warehouse "
            "when the next run starts"
        )
    raise fail(message, 2)


def collection_table(rows: list[tuple]) -> tuple[str, list[str], list[tuple]]:
    """Return the title, columns and rows of `trends --by collection` (trends_by_collection.sql)."""
    window = f"{rows[0][0]} to {rows[0][1]}" if rows else "nothing to compare"
    title = (
        f"Keywords by collection, {window}: stories, their share of the collection's stories "
        "(share_pct) and of everything its feeds published (volume_pct)"
    )
    columns = [
        "keyword",
        "collection",
        "stories",
        "mentions",
        "sources",
        "share_pct",
        "volume_pct",
        "collection_stories",
        "collection_articles",
    ]
    table = []
    for _, _, keyword, name, stories, mentions, sources, total, volume, share, of_volume in rows:
        table.append(
            (
                keyword,
                name,
                stories,
                mentions,
                sources,
                None if share is None else round(100 * share, 1),
                None if of_volume is None else round(100 * of_volume, 2),
                total,
                volume,
            )
        )
    return title, columns, table


KeywordOption = Annotated[
    list[str] | None,
    typer.Option("--keyword", help="A keyword to show (repeat for more); default: the top ones."),
]
DayOption = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD (UTC day).")
]


def trends(
    config: ConfigOption = None,
    db: DbOption = None,
    days: Annotated[int, typer.Option(help="How many days back from the latest story.")] = 30,
    top: Annotated[int, typer.Option(help="Keywords shown per day (or charted).")] = 5,
    keyword: KeywordOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="day, week (ISO weeks), or collection (one row a keyword and collection over "
            "the window: its stories, their share of the collection's stories and of its volume).",
        ),
    ] = "day",
    since: DayOption = None,
    until: DayOption = None,
    share: Annotated[
        bool, typer.Option("--share", help="Show the share of the period's stories, not counts.")
    ] = False,
    source: Annotated[
        str | None, typer.Option("--source", help="Only this outlet's stories (its feed name).")
    ] = None,
    collection: Annotated[
        list[str] | None,
        typer.Option(
            "--collection",
            help="Only the stories of the feeds in this collection (repeat: in any of them).",
        ),
    ] = None,
    scope: Annotated[
        str, typer.Option("--scope", help="all (news and the seed corpus) or news.")
    ] = "all",
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the chart to FILE.png or FILE.svg.")
    ] = None,
    as_of: AsOfOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Print keyword trends: by default the top keywords of each day; with --keyword, --by, --since,
    --until, --share, --source, --collection or --plot, each keyword's series (spikes marked);
    with --by collection, the keywords compared across collections."""
    if fmt not in ("table", "csv", "json"):
        raise fail(f"--format must be table, csv or json, not {fmt!r}", 2)
    if by not in ("day", "week", "collection"):
        raise fail(f"--by must be day, week or collection, not {by!r}", 2)
    if by == "collection" and (plot is not None or source is not None):
        option = "--plot" if plot is not None else "--source"
        raise fail(
            f"{option} takes a series by day or week; --by collection compares the collections "
            "(narrow it with --collection)",
            2,
        )
    if scope not in ("all", "news"):
        raise fail(f"--scope must be all or news, not {scope!r}", 2)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise fail(f"--plot writes a .png or .svg file, not {plot.name!r}", 2)
    if since and until and since > until:
        raise fail(f"--since ({since.date()}) is after --until ({until.date()})", 2)
    settings = settings_or_exit(config, db)
    if collection:
        check_collections(settings, collection, _as_of(as_of))
    series = keyword or since or until or share or source or collection or plot or by != "day"
    if not series:
        print_trends(settings, days, top, _as_of(as_of), fmt, scope)
        return
    query = {
        "scope": scope,
        "by": by,
        "since": since.date() if since else None,
        "until": until.date() if until else None,
        "days": days,
        "keywords": keyword or [],
        "top": top,
        "source": source,
        "collections": collection or [],
    }
    if by == "collection":
        compared = {k: v for k, v in query.items() if k not in ("by", "source")}
        compared["keywords"] = [name.lower() for name in keyword or []]
        _, rows = _query(settings, sql("trends_by_collection"), compared, _as_of(as_of))
        if not rows:
            errors.print(
                "[yellow]note:[/yellow] no collection in the warehouse, or no story in the window "
                "(tag [[feeds]] with `collections`: the tags are written when a run starts)",
                highlight=False,
            )
        title, columns, table = collection_table(rows)
        render_rows(console, columns, table, fmt, title=title)
        return
    trend, rows = _read_trend(settings, _as_of(as_of), share, query)
    shown = {name.lower() for name in trend.series}
    for name in keyword or []:
        if name.lower() not in shown:
            errors.print(f"[yellow]note:[/yellow] no story mentions {name!r}", highlight=False)
    columns, table = trend_table(trend, rows)
    from tasks.analyst.charts import chart_title

    render_rows(console, columns, table, fmt, title=chart_title(trend))
    if plot is not None:
        _write_plot(trend, plot)
