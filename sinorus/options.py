"""What every command shares: the common options, the consoles, and turning bad input into exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from config import ConfigError, Settings, load_settings
from tasks.location import lake_of
from warehouse import Lake, WarehouseError

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error line stays one line, for grep

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar="SINORUS_CONFIG", help="A TOML file laid over config/default.toml."
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SINORUS_DB",
        help="The catalog: a .sqlite file or postgres:<conninfo> (overrides warehouse.catalog).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Answer from the warehouse as it was: a snapshot id, or a UTC time 'YYYY-MM-DD HH:MM'.",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the run summary as one JSON object.")
]


def fail(message: str, code: int) -> typer.Exit:
    """Return the exit to raise after printing `message` as an error line."""
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def settings_or_exit(config: Path | None, db: str | None) -> Settings:
    """Return the validated settings, or exit 2 naming the bad key."""
    try:
        return load_settings(config).with_db(db)
    except ConfigError as exc:
        raise fail(str(exc), 2) from None


def lake_or_exit(settings: Settings) -> Lake:
    """Return the lake the settings name, or exit 2 saying why it cannot work."""
    try:
        return lake_of(settings)
    except WarehouseError as exc:
        raise fail(str(exc), 2) from None
