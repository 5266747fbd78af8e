"""`sinorus events …`: what happened and who covered it — the events, and one event's reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from sinorus.console import render_rows
from sinorus.options import AsOfOption, ConfigOption, DbOption, console, fail, settings_or_exit
from sinorus.query_commands import _as_of, _query
from sinorus.trend_commands import check_collections
from warehouse import sql

events_app = typer.Typer(
    help="Events: the reports of one occurrence grouped across outlets and languages.",
    invoke_without_command=True,
)

FormatOption = Annotated[str, typer.Option("--format", help="table, csv or json.")]


def _format(fmt: str) -> str:
    """Return the format, or exit 2 on one the command does not print."""
    if fmt not in ("table", "csv", "json"):
        raise fail(f"--format must be table, csv or json, not {fmt!r}", 2)
    return fmt


@events_app.callback()
def events(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Events with a report on or after this day.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Events with a report on or before this day.")
    ] = None,
    keyword: Annotated[
        str | None, typer.Option("--keyword", help="Only events whose reports mention it.")
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option("--collection", help="Only events a feed of this collection reported."),
    ] = None,
    min_outlets: Annotated[
        int, typer.Option("--min-outlets", help="Only events covered by at least N outlets.")
    ] = 1,
    limit: Annotated[int, typer.Option("--limit", help="At most N events.")] = 50,
    fmt: FormatOption = "table",
    config: ConfigOption = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """List the events, the most covered first: first and last report, outlets, reports,
    languages, top keywords and headline (`sinorus events show ID` for one's reports)."""
    if ctx.invoked_subcommand is not None:
        return
    fmt = _format(fmt)
    days = {name: _day(name, value) for name, value in (("--since", since), ("--until", until))}
    if days["--since"] and days["--until"] and days["--since"] > days["--until"]:
        raise fail(f"--since {since} is after --until {until}", 2)
    if min_outlets < 1:
        raise fail(f"--min-outlets must be 1 or more, not {min_outlets}", 2)
    if limit < 1:
        raise fail(f"--limit must be 1 or more, not {limit}", 2)
    settings = settings_or_exit(config, db)
    snapshot = _as_of(as_of)
    if collection is not None:
        check_collections(settings, [collection], snapshot)
    params = {
        "since": days["--since"],
        "until": days["--until"],
        "keyword": keyword,
        "collection": collection,
        "min_outlets": min_outlets,
        "limit": limit,
    }
    columns, rows = _query(settings, sql("events_list"), params, snapshot)
    if fmt == "table" and not rows:
        console.print("No event matches.", highlight=False)
        return
    render_rows(console, columns, rows, fmt, title=f"Events ({len(rows)}), the most covered first")


def _day(option: str, value: str | None) -> date | None:
    """Return the option's day, or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} takes a day such as 2026-11-20, not {value!r}", 2) from None


@events_app.command()
def show(
    event_id: Annotated[str, typer.Argument(help="The event's id (from `sinorus events`).")],
    fmt: FormatOption = "table",
    config: ConfigOption = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Show every report of one event: outlet, collections, language, time, headline, link (*:
    the first report)."""
    fmt = _format(fmt)
    settings = settings_or_exit(config, db)
    columns, rows = _query(settings, sql("event_reports"), {"event_id": event_id}, _as_of(as_of))
    if not rows:
        raise fail(f"no event {event_id!r} (`sinorus events` lists them)", 1)
    render_rows(console, columns, rows, fmt, title=f"Event {event_id}: {len(rows)} reports")
