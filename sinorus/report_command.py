"""`sinorus report`: write the self-contained HTML report (tasks/analyst/report.py) from the warehouse."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from sinorus.options import (
    AsOfOption,
    ConfigOption,
    DbOption,
    console,
    fail,
    lake_or_exit,
    settings_or_exit,
)
from sinorus.query_commands import _as_of
from tasks.location import report_path
from warehouse import WarehouseError, WarehouseMissing


def report(
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="New stories stored since this UTC day (default: since the previous report, "
            "else the last 7 days).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The HTML file to write (default: the config's report.path)."),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write the HTML report: keyword trend charts, the largest events of the last 30 days with
    their reports (the first reporter marked), spikes with the events and stories behind them,
    collections, new stories, feed health, in one file that needs no network to be read."""
    import duckdb

    from tasks.analyst.report import write_report

    settings = settings_or_exit(config, db)
    target = out or report_path(settings) or Path("report.html")
    if target.suffix.lower() not in (".html", ".htm"):
        raise fail(f"--out is an HTML file (.html), not {target.name!r}", 2)
    lake = lake_or_exit(settings)
    try:
        written = write_report(
            lake, settings, target, since.date() if since else None, _as_of(as_of)
        )
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    except duckdb.Error as exc:
        raise fail(str(exc).strip(), 1) from None
    console.print(f"report written to {written}", highlight=False)
