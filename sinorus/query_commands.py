"""The read command `sinorus sql`, on the latest snapshot or an earlier one, and the query
helpers every read command shares (trend_commands.py, event_commands.py).

They never create anything: a catalog that is not there is an error that says so.
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
from warehouse import WarehouseError, WarehouseMissing, reader, snapshot_reader


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


def _query_to_parquet(settings: Settings, query: str, as_of: str | int | None, output: Path) -> int:
    """Return the rows of a read-only query written to a Parquet file (streamed as Arrow
    batches: the query is the user's own text, the path never goes into SQL); exits 1 on error."""
    import duckdb

    from tasks.analyst.export import BATCH_ROWS, write_parquet

    lake = lake_or_exit(settings)
    try:
        with snapshot_reader(lake, as_of) if as_of is not None else reader(lake) as con:
            return write_parquet(con.execute(query).to_arrow_reader(BATCH_ROWS), output)
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    except duckdb.Error as exc:
        raise fail(str(exc).strip(), 1) from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}", 1) from None


def _write_rows(columns: list[str], rows: list[tuple], fmt: str, output: Path) -> None:
    """Write rows to a file as csv or json, exactly as they print to a pipe; exits 1 on error."""
    from rich.console import Console

    try:
        with output.open("w", encoding="utf-8", newline="") as file:
            render_rows(Console(file=file, soft_wrap=True, no_color=True), columns, rows, fmt)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}", 1) from None


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", help="Write the result to FILE (csv, json or parquet), not the terminal."
    ),
]


def sql_command(
    query: Annotated[str, typer.Argument(help="The SQL to run (read-only).")],
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, json, or parquet (with --output).")
    ] = "table",
    output: OutputOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Run a read-only SQL query on the warehouse and print the result (or write it to a file)."""
    if fmt not in ("table", "csv", "json", "parquet"):
        raise fail(f"--format must be table, csv, json or parquet, not {fmt!r}", 2)
    if fmt == "parquet" and output is None:
        raise fail("--format parquet writes a file: give it with --output FILE", 2)
    if fmt == "table" and output is not None:
        raise fail("--output writes csv, json or parquet: add --format", 2)
    settings = settings_or_exit(config, db)
    if fmt == "parquet":
        written = _query_to_parquet(settings, query, _as_of(as_of), output)
        errors.print(f"{written} rows written to {output}", highlight=False)
        return
    columns, rows = _query(settings, query, as_of=_as_of(as_of))
    if output is None:
        render_rows(console, columns, rows, fmt)
        return
    _write_rows(columns, rows, fmt, output)
    errors.print(f"{len(rows)} rows written to {output}", highlight=False)
