"""`sinorus feeds …`: the feeds' health and schedule, worst first; pausing and resuming one."""

from __future__ import annotations

from typing import Annotated

import typer

from sinorus.console import render_rows
from sinorus.options import ConfigOption, DbOption, console, fail, lake_or_exit, settings_or_exit
from tasks.records import utcnow
from warehouse import WarehouseError, WarehouseMissing, reader, sql, writer

feeds_app = typer.Typer(
    help="The feeds: health and schedule (worst first); pause or resume one.",
    invoke_without_command=True,
)


@feeds_app.callback()
def feeds(
    ctx: typer.Context,
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Show every feed: country and collections, status, last error, failures in a row, last new
    item, items a day, next fetch."""
    if ctx.invoked_subcommand is not None:
        return
    lake = lake_or_exit(settings_or_exit(config, db))
    try:
        with reader(lake) as con:
            cursor = con.execute(sql("feeds_table"))
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    render_rows(console, columns, rows, fmt, title="Feeds, worst first")


def _set_paused(url: str, paused: bool, reason: str | None, config, db) -> None:
    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    known = {feed.url: feed.name for feed in settings.feeds}
    if not lake.exists():
        raise fail(f"no warehouse at {lake.describe()}", 1)
    with reader(lake) as con:
        stored = dict(con.execute("select url, name from feeds").fetchall())
    name = stored.get(url) or known.get(url)
    if name is None:
        raise fail(f"no feed {url} in the config or the warehouse (`sinorus feeds` lists them)", 2)
    params = {"url": url, "name": name, "paused": paused, "reason": reason, "now": utcnow()}
    with writer(lake, "pause feed" if paused else "resume feed", {"url": url}) as con:
        con.execute(sql("pause_feed"), params)
    console.print(f"{name} ({url}): {'paused' if paused else 'resumed, due now'}", highlight=False)


@feeds_app.command()
def pause(
    url: Annotated[str, typer.Argument(help="The feed's URL, as in the config.")],
    reason: Annotated[
        str | None, typer.Option(help="Why, for whoever reads `sinorus feeds`.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Stop fetching a feed until it is resumed (sinorus never pauses one by itself)."""
    _set_paused(url, True, reason, config, db)


@feeds_app.command()
def resume(
    url: Annotated[str, typer.Argument(help="The feed's URL, as in the config.")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Fetch a paused feed again, from the next run on."""
    _set_paused(url, False, None, config, db)
