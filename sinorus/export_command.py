"""`sinorus export DIR`: the warehouse as Parquet files, one snapshot, for analysts' own tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sinorus.console import render_rows
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
from warehouse import WarehouseError, WarehouseMissing

ScopeOption = Annotated[
    str,
    typer.Option(
        "--scope",
        help="The trend views' scope: all (the seed corpus counted) or news (left out, also "
        "from articles and stories).",
    ),
]


def export(
    directory: Annotated[
        Path, typer.Argument(help="The folder to write (an earlier export there is replaced).")
    ],
    config: ConfigOption = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
    scope: ScopeOption = "all",
) -> None:
    """Write every table and view of the warehouse as Parquet under DIR (articles and stories
    by month), all from one snapshot, and list what was written."""
    from tasks.analyst.export import SCOPES, SKIPPED, ExportError, export_lake

    if scope not in SCOPES:
        raise fail(f"--scope must be {' or '.join(SCOPES)}, not {scope!r}", 2)
    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    try:
        written = export_lake(lake, directory, _as_of(as_of), scope)
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    except ExportError as exc:
        raise fail(str(exc), 2) from None
    except OSError as exc:  # the folder cannot be written (permissions, disk full)
        raise fail(f"cannot write {directory}: {exc}", 1) from None
    rows = [(item.name, item.kind, item.rows, item.files, item.path) for item in written]
    render_rows(
        console,
        ["name", "kind", "rows", "files", "path"],
        rows,
        "table",
        title=f"Exported to {Path(directory).resolve()} (scope {scope})",
    )
    console.print(f"left out (bookkeeping): {', '.join(sorted(SKIPPED))}", highlight=False)
