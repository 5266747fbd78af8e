"""The read commands: `sinorus sql` and `sinorus trends`, on the latest snapshot or an earlier one.

They never create anything: a catalog that is not there is an error that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from config import Settings
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
from sinorus.report import render_rows
from warehouse import WarehouseError, WarehouseMissing, reader, snapshot_reader, sql


def _as_of(value: str | None) -> str | int | None:
    """Return --as-of as a snapshot id or a normalised UTC timestamp; exits 2 on anything else."""
    if value is None:
        return None
    if value.strip().isdigit():
        return int(value)
    try:
        return datetime.fromisoformat(value.strip()).isoformat(sep=" ")
    except ValueError:
        errors.print(
            f"[red]error:[/red] --as-of takes a snapshot id or a time such as "
            f"'2026-11-20 08:00', not {value!r}",
            highlight=False,
        )
        raise typer.Exit(2) from None


def _query(
    settings: Settings, query: str, params: dict | None = None, as_of: str | int | None = None
) -> tuple[list[str], list[tuple]]:
    """Return the columns and rows of a read-only query; exits 1 when there is no warehouse."""
    import duckdb

    lake = lake_or_exit(settings)
    try:
        with snapshot_reader(lake, as_of) if as_of is not None else reader(lake) as con:
            cursor = con.execute(query, params or {})
            columns = [d[0] for d in cursor.description] if cursor.description else []
            return columns, cursor.fetchall()
    except (WarehouseMissing, WarehouseError) as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except duckdb.Error as exc:
        errors.print(f"[red]error:[/red] {str(exc).strip()}", highlight=False)
        raise typer.Exit(1) from None


def sql_command(
    query: Annotated[str, typer.Argument(help="The SQL to run (read-only).")],
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    as_of: AsOfOption = None,
) -> None:
    """Run a read-only SQL query on the warehouse and print the result."""
    if fmt not in ("table", "csv", "json"):
        errors.print(f"[red]error:[/red] --format must be table, csv or json, not {fmt!r}")
        raise typer.Exit(2)
    settings = settings_or_exit(config, db)
    columns, rows = _query(settings, query, as_of=_as_of(as_of))
    render_rows(console, columns, rows, fmt)


def print_trends(
    settings: Settings, days: int, top: int, as_of: str | int | None = None, fmt: str = "table"
) -> None:
    columns, rows = _query(
        settings, sql("top_keywords"), {"days": days, "top": top, "scope": "all"}, as_of
    )
    title = f"Keyword trends: top {top} keywords a day (stories, mentions, share of the day)"
    if as_of is not None:
        title += f", as of {as_of}"
    render_rows(console, columns, rows, fmt, title=title)


def trends(
    config: ConfigOption = None,
    db: DbOption = None,
    days: Annotated[int, typer.Option(help="How many days back from the latest story.")] = 30,
    top: Annotated[int, typer.Option(help="Keywords shown per day.")] = 5,
    as_of: AsOfOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Print the keyword-trend table: per day, the top keywords by stories and mentions."""
    if fmt not in ("table", "csv", "json"):
        raise fail(f"--format must be table, csv or json, not {fmt!r}", 2)
    settings = settings_or_exit(config, db)
    print_trends(settings, days, top, _as_of(as_of), fmt)
