"""`sinorus warehouse …`: create the lake, import an old DuckDB file, upkeep, checks, history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from config import Settings
from sinorus.console import render_rows, to_json
from sinorus.options import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    fail,
    lake_or_exit,
    settings_or_exit,
)
from warehouse import (
    CheckResult,
    Lake,
    LockTimeout,
    WarehouseError,
    WarehouseMissing,
    ensure_warehouse,
    reader,
    run_checks,
    snapshots,
)

warehouse_app = typer.Typer(
    help="The lake itself: create it, import an old DuckDB file, maintain and check it, its "
    "snapshots, attach SQL.",
    no_args_is_help=True,
)


def ready_or_exit(settings: Settings) -> Lake:
    """Return the settings' lake, made and migrated, or exit 1 with the one-line reason it cannot
    be (a migration edited since it ran, a catalog that does not open): before Prefect starts,
    whose logs would bury that line under tracebacks."""
    lake = lake_or_exit(settings)
    try:
        ensure_warehouse(lake)
    except (WarehouseError, LockTimeout) as exc:
        raise fail(str(exc), 1) from None
    return lake


def _show(summary: dict, as_json: bool, title: str) -> None:
    if as_json:
        print(to_json(summary))
        return
    rows = [(key.replace("_", " "), value) for key, value in summary.items()]
    render_rows(console, ["", "value"], rows, "table", title=title)


@warehouse_app.command()
def init(config: ConfigOption = None, db: DbOption = None) -> None:
    """Create the lake (catalog, data path, tables, views) with its seed baseline, if new."""
    from tasks.seeds import load_seeds

    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    try:
        loaded = load_seeds(lake, settings)
    except (WarehouseError, LockTimeout) as exc:
        raise fail(str(exc), 1) from None
    console.print(f"{lake.describe()}: ready, {loaded} seed articles loaded", highlight=False)


@warehouse_app.command("import")
def import_command(
    old: Annotated[Path, typer.Argument(help="A .duckdb warehouse of an earlier version.")],
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy every table of an old DuckDB-file warehouse into the lake (again: nothing twice)."""
    from tasks.upkeep.importer import ImportFailed, import_duckdb

    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    try:
        report = import_duckdb(old, lake, settings.dedup)
    except (ImportFailed, WarehouseError, LockTimeout) as exc:
        raise fail(str(exc), 1) from None
    if as_json:
        print(to_json(report.as_dict()))
        return
    rows = [(table, *counts.values()) for table, counts in report.tables.items()]
    title = f"Imported {old} ({report.exported_by}) into {lake.describe()}"
    render_rows(console, ["table", "rows", "imported", "already there"], rows, "table", title=title)
    console.print(
        f"{report.indexed} originals indexed for duplicates, "
        f"{report.fingerprinted} fingerprinted from their text",
        highlight=False,
    )


@warehouse_app.command()
def maintain(
    config: ConfigOption = None,
    db: DbOption = None,
    keep_days: Annotated[
        float | None,
        typer.Option(
            help="Expire snapshots older than this (default: warehouse.keep_snapshots_days)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply [retention], merge small files, expire old snapshots, delete files no snapshot needs.

    Then run the lake's checks (as `sinorus warehouse check`): exit 1 naming those that fail.
    """
    from tasks.upkeep.maintain import maintain as maintain_lake

    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    if not lake.exists():
        raise fail(f"no warehouse at {lake.describe()}", 1)
    keep = settings.warehouse.keep_snapshots_days if keep_days is None else keep_days
    if keep < 0:
        raise fail("--keep-days must be 0 or more", 2)
    try:
        report = maintain_lake(lake, keep, retention=settings.retention)
    except (WarehouseError, LockTimeout) as exc:
        raise fail(str(exc), 1) from None
    _show_maintenance(report.as_dict(), as_json, lake.describe())


def _show_maintenance(report: dict, as_json: bool, where: str) -> None:
    """Print the maintenance report; exit 1 naming the checks that fail after it."""
    failed = report["checks_failed"]
    listed = ", ".join(f"{name} ({count} rows)" for name, count in failed.items())
    _show(
        report if as_json else {**report, "checks_failed": listed or "none"},
        as_json,
        f"Maintenance of {where}",
    )
    if failed:
        raise fail(
            f"checks fail on {where} after maintenance: {listed}; "
            "`sinorus warehouse check` shows the rows",
            1,
        )


@warehouse_app.command()
def check(
    config: ConfigOption = None,
    db: DbOption = None,
    rows: Annotated[
        int, typer.Option("--rows", min=0, help="Offending rows shown for each failing check.")
    ] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every check's result as one JSON object.")
    ] = False,
) -> None:
    """Run the lake's checks, read-only; exit 1 showing the rows that break one.

    The checks are warehouse/checks/*.sql: unique keys, required values, accepted values,
    relationships between tables, whole batches. Each selects the rows that break it.
    """
    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    try:
        with reader(lake) as con:
            results = run_checks(con, limit=rows)
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    failed = [result for result in results if not result.passed]
    if as_json:
        checks = [result.as_dict() for result in results]
        print(to_json({"lake": lake.describe(), "passed": not failed, "checks": checks}))
    else:
        _show_checks(results, lake.describe())
    raise typer.Exit(1 if failed else 0)


def _show_checks(results: list[CheckResult], where: str) -> None:
    for result in results:
        if result.passed:
            console.print(f"[green]pass[/green] {result.name}", highlight=False)
            continue
        count = f"{result.offending} offending row{'s' if result.offending != 1 else ''}"
        if 0 < len(result.rows) < result.offending:
            count += f", the first {len(result.rows)} shown"
        console.print(f"[red]FAIL[/red] {result.name}: {count}", highlight=False)
        console.print(f"     {result.description}", style="dim", highlight=False)
        if result.rows:
            render_rows(console, list(result.columns), list(result.rows), "table")
    failed = sum(not result.passed for result in results)
    verdict = f"[red]{failed} fail[/red]" if failed else "[green]all pass[/green]"
    console.print(f"{len(results)} checks on {where}: {verdict}", highlight=False)


@warehouse_app.command("snapshots")
def snapshots_command(
    config: ConfigOption = None,
    db: DbOption = None,
    last: Annotated[int, typer.Option(help="How many of the latest snapshots to list.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """List the lake's latest snapshots: id, time (UTC), what wrote it: ids for --as-of."""
    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    try:
        found = snapshots(lake)
    except (WarehouseMissing, WarehouseError) as exc:
        raise fail(str(exc), 1) from None
    rows = [(s["snapshot"], s["at"], s["message"], s["info"].get("run_id")) for s in found[-last:]]
    render_rows(console, ["snapshot", "at", "message", "run_id"], rows, fmt)


@warehouse_app.command()
def attach(
    config: ConfigOption = None,
    db: DbOption = None,
    alias: Annotated[str, typer.Option(help="The name to attach the lake as.")] = "sinorus",
) -> None:
    """Print the SQL that opens this lake read-only from any DuckDB 1.5 client (CLI, DBeaver…)."""
    from warehouse.extensions import wheel_binary

    settings = settings_or_exit(config, db)
    lake = lake_or_exit(settings)
    scanner = "sqlite_scanner" if lake.kind == "sqlite" else "postgres_scanner"
    lines = ["-- offline: the extensions from the wheels sinorus uses (online: INSTALL ducklake)"]
    for name in ("ducklake", scanner):
        binary = wheel_binary(name)
        if binary is not None:
            lines.append(f"LOAD '{binary}';")
    quoted = lake.uri.replace("'", "''")
    lines += [f"ATTACH '{quoted}' AS {alias} (READ_ONLY);", f"USE {alias};"]
    print("\n".join(lines))
