"""The `sinorus` command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from config import DEMO_CONFIG, Settings
from sinorus.lake_commands import warehouse_app
from sinorus.options import (
    AsOfOption,
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    errors,
    fail,
    lake_or_exit,
    settings_or_exit,
)
from sinorus.report import progress_bar, render_rows, render_summary, to_json
from warehouse import WarehouseError, WarehouseMissing, reader, snapshot_reader, sql

app = typer.Typer(
    help="A news monitor for analysts who follow the relationship between China and Russia.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(warehouse_app, name="warehouse")

NEWSROOM_PORT = 8765  # fixed: config/demo.toml's feed URLs name it


def _run_monitor(config: Path | None, db: str | None, as_json: bool) -> dict:
    from flows.monitor import monitor

    summary = monitor(str(config) if config else None, str(db) if db else None)
    if as_json:
        print(to_json(summary))
    else:
        render_summary(console, summary)
    return summary


@app.command()
def run(config: ConfigOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Run one monitor pass over the configured feeds."""
    settings_or_exit(config, db)  # fail on a bad config before Prefect starts
    summary = _run_monitor(config, db, as_json)
    raise typer.Exit(0 if summary["status"] == "completed" else 1)


@app.command()
def demo(config: ConfigOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Serve the sample newsroom on 127.0.0.1 and run one monitor pass against it."""
    from sinorus.newsroom import Newsroom

    config = config or DEMO_CONFIG
    settings = settings_or_exit(config, db)
    with Newsroom(port=NEWSROOM_PORT) as newsroom:
        if not as_json:
            console.print(f"The sample newsroom is up at {newsroom.base_url}", highlight=False)
        summary = _run_monitor(config, db, as_json)
    if not as_json:
        _print_trends(settings, days=3650, top=5)
    raise typer.Exit(0 if summary["status"] == "completed" else 1)


@app.command()
def serve(
    config: ConfigOption = None,
    db: DbOption = None,
    port: Annotated[
        int, typer.Option(help="Port of the local Prefect server, when one is started.")
    ] = 4200,
) -> None:
    """Serve the monitor on the configured schedule until Ctrl-C (starts a Prefect server if needed)."""
    from sinorus.serve import serve_monitor

    settings = settings_or_exit(config, db)
    serve_monitor(settings, str(config) if config else None, str(db) if db else None, port)


DateOption = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


@app.command()
def backfill(
    since: DateOption,
    until: DateOption,
    source: Annotated[
        str, typer.Option(help="feeds, sitemaps, gdelt or urls (with --urls).")
    ] = "feeds",
    urls: Annotated[Path | None, typer.Option(help="A file of URLs: one a line, or CSV.")] = None,
    undated: Annotated[
        str | None, typer.Option(help="Articles with no date: drop or sighting (config default).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List only: fetch and store nothing.")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fill a past date range (both ends included); run it again to resume an interrupted one."""
    from tasks.backfill.window import make_job

    settings = settings_or_exit(config, db)
    try:  # the arguments fail here, before Prefect starts, with a clear message
        make_job(source, since.date(), until.date(), undated or settings.backfill.undated, urls)
    except (ValueError, OSError) as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    from flows.backfill import backfill as backfill_flow
    from tasks.backfill.progress import add_listener, remove_listener

    arguments = dict(
        since=since.date(),
        until=until.date(),
        source=source,
        urls_file=str(urls) if urls else None,
        undated=undated,
        dry_run=dry_run,
        config_path=str(config) if config else None,
        db_path=str(db) if db else None,
    )
    if as_json:
        summary = backfill_flow(**arguments)
        print(to_json(summary))
    else:
        with progress_bar(errors) as step:
            add_listener(step)
            try:
                summary = backfill_flow(**arguments)
            finally:
                remove_listener(step)
        if dry_run:
            console.print_json(to_json(summary))
        else:
            render_summary(console, summary)
    raise typer.Exit(0 if summary["status"] in ("completed", "dry-run") else 1)


ReplayDate = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD (default: no limit).")
]


def _replay(mode: str, since, until, config, db, as_json: bool) -> None:
    from flows.replay import replay as replay_flow

    settings_or_exit(config, db)  # a bad config fails here, before Prefect starts
    if since and until and since > until:
        raise fail(f"since ({since.date()}) is after until ({until.date()})", 2)
    summary = replay_flow(
        mode,
        since.date() if since else None,
        until.date() if until else None,
        str(config) if config else None,
        db,
    )
    if as_json:
        print(to_json(summary))
    else:
        done = summary["replay"] or {}
        rows = [(key.replace("_", " "), value) for key, value in done.items()]
        render_rows(console, ["", ""], rows, "table", title=f"Replayed ({mode})")
    raise typer.Exit(0 if summary["status"] == "completed" else 1)


@app.command()
def replay(
    html: Annotated[
        bool,
        typer.Option(
            "--html/--rules",
            help="Re-extract from the HTML kept at fetch time, or (default) re-judge stored texts.",
        ),
    ] = False,
    since: ReplayDate = None,
    until: ReplayDate = None,
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge stored articles again with the current rules, or re-extract them first (fetches nothing)."""
    _replay("html" if html else "rules", since, until, config, db, as_json)


@app.command()
def rescore(config: ConfigOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-judge every stored article with the current rules: `sinorus replay --rules`."""
    _replay("rules", None, None, config, db, as_json)


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


@app.command("sql")
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


def _print_trends(
    settings: Settings, days: int, top: int, as_of: str | int | None = None, fmt: str = "table"
) -> None:
    columns, rows = _query(settings, sql("top_keywords"), {"days": days, "top": top}, as_of)
    title = f"Keyword trends: top {top} keywords a day (stories, mentions)"
    if as_of is not None:
        title += f", as of {as_of}"
    render_rows(console, columns, rows, fmt, title=title)


@app.command()
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
    _print_trends(settings, days, top, _as_of(as_of), fmt)


@app.command()
def newsroom(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = NEWSROOM_PORT,
) -> None:
    """Serve the bundled sample newsroom until Ctrl-C, for trying things by hand."""
    from sinorus.newsroom import Newsroom

    server = Newsroom(port=port).start()
    console.print(
        f"The sample newsroom is up at {server.base_url} — feeds under /feeds/. Ctrl-C stops it."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    app()
