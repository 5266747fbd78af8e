"""The `sinorus` command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from config import DEMO_CONFIG, ConfigError, Settings, load_settings
from sinorus.report import progress_bar, render_rows, render_summary, to_json
from warehouse import reader, sql

app = typer.Typer(
    help="A news monitor for analysts who follow the relationship between China and Russia.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

NEWSROOM_PORT = 8765  # fixed: config/demo.toml's feed URLs name it

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", envvar="SINORUS_CONFIG", help="A TOML file laid over config/default.toml."
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="SINORUS_DB", help="The DuckDB file (overrides warehouse.path)."),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the run summary as one JSON object.")
]


def _settings(config: Path | None, db: Path | None) -> Settings:
    try:
        return load_settings(config).with_db(db)
    except ConfigError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _run_monitor(config: Path | None, db: Path | None, as_json: bool) -> dict:
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
    _settings(config, db)  # fail on a bad config before Prefect starts
    summary = _run_monitor(config, db, as_json)
    raise typer.Exit(0 if summary["status"] == "completed" else 1)


@app.command()
def demo(config: ConfigOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Serve the sample newsroom on 127.0.0.1 and run one monitor pass against it."""
    from sinorus.newsroom import Newsroom

    config = config or DEMO_CONFIG
    settings = _settings(config, db)
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

    settings = _settings(config, db)
    serve_monitor(settings, str(config) if config else None, str(db) if db else None, port)


DateOption = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


@app.command()
def backfill(
    since: DateOption,
    until: DateOption,
    source: Annotated[
        str, typer.Option(help="feeds, sitemaps, gdelt, urls (with --urls) or raw (kept HTML).")
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
    from tasks.backfill import make_job

    settings = _settings(config, db)
    try:  # the arguments fail here, before Prefect starts, with a clear message
        make_job(source, since.date(), until.date(), undated or settings.backfill.undated, urls)
    except (ValueError, OSError) as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    from flows.backfill import backfill as backfill_flow
    from tasks.progress import add_listener, remove_listener

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


@app.command()
def rescore(config: ConfigOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-judge every stored article with the current topic and keyword rules (fetches nothing)."""
    from tasks.rescore import rescore as rescore_articles
    from tasks.seeds import load_seeds

    settings = _settings(config, db)
    db_path = Path(settings.warehouse.path)
    load_seeds(db_path, settings)
    summary = rescore_articles(db_path, settings).as_dict()
    if as_json:
        print(to_json(summary))
    else:
        rows = [(key.replace("_", " "), value) for key, value in summary.items()]
        render_rows(console, ["", "count"], rows, "table", title="Rescored with the current rules")


def _query(
    settings: Settings, query: str, params: dict | None = None
) -> tuple[list[str], list[tuple]]:
    db_path = Path(settings.warehouse.path)
    if not db_path.exists():
        # A new warehouse starts with its baseline: the seed corpus.
        from tasks.seeds import load_seeds

        load_seeds(db_path, settings)
    with reader(db_path) as con:
        cursor = con.execute(query, params or {})
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="The SQL to run (read-only).")],
    config: ConfigOption = None,
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a read-only SQL query on the warehouse and print the result."""
    import duckdb

    if fmt not in ("table", "csv", "json"):
        errors.print(f"[red]error:[/red] --format must be table, csv or json, not {fmt!r}")
        raise typer.Exit(2)
    settings = _settings(config, db)
    try:
        columns, rows = _query(settings, query)
    except duckdb.Error as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    render_rows(console, columns, rows, fmt)


def _print_trends(settings: Settings, days: int, top: int) -> None:
    columns, rows = _query(settings, sql("top_keywords"), {"days": days, "top": top})
    title = f"Keyword trends: top {top} keywords a day (stories, mentions)"
    render_rows(console, columns, rows, "table", title=title)


@app.command()
def trends(
    config: ConfigOption = None,
    db: DbOption = None,
    days: Annotated[int, typer.Option(help="How many days back from the latest story.")] = 30,
    top: Annotated[int, typer.Option(help="Keywords shown per day.")] = 5,
) -> None:
    """Print the keyword-trend table: per day, the top keywords by stories and mentions."""
    settings = _settings(config, db)
    _print_trends(settings, days, top)


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
