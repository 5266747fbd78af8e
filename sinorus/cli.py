"""The `sinorus` command line."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from config import DEMO_CONFIG
from sinorus.console import progress_bar, render_rows, render_summary, to_json
from sinorus.event_commands import events_app
from sinorus.export_command import export
from sinorus.feed_commands import feeds_app
from sinorus.lake_commands import ready_or_exit, warehouse_app
from sinorus.options import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    errors,
    fail,
    settings_or_exit,
)
from sinorus.query_commands import sql_command
from sinorus.report_command import report
from sinorus.trend_commands import print_trends, trends

app = typer.Typer(
    help="A news monitor for analysts who follow the relationship between China and Russia.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(feeds_app, name="feeds")
app.add_typer(events_app, name="events")
app.command("sql")(sql_command)
app.command()(trends)
app.command()(report)
app.command()(export)

NEWSROOM_PORT = 8765  # fixed: config/demo.toml's feed URLs name it


VerboseOption = Annotated[
    bool, typer.Option("--verbose", help="Show Prefect's log lines (and tracebacks), not a bar.")
]
# A run that left work for the next one (deadline, links held back) did its job: exit 0.
SUCCESS = ("completed", "completed_partial", "dry-run")


def _quiet(verbose: bool) -> None:
    # Prefect reads its logging level when first imported: set it before any flow is imported.
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _with_bars(as_json: bool, verbose: bool, call):
    """Return call() run against a Prefect server (PREFECT_API_URL's, or a temporary one that
    dies with this command), with progress bars unless JSON or verbose logs are asked.

    `call` imports its flow itself: Prefect reads PREFECT_API_URL when it is first imported.
    """
    from sinorus.server import temporary_server

    with temporary_server():
        if as_json or verbose:
            return call()
        from tasks.progress import add_listener, remove_listener

        with progress_bar(errors) as step:
            add_listener(step)
            try:
                return call()
            finally:
                remove_listener(step)


def _run_monitor(config, db, as_json: bool, verbose: bool, every_feed: bool) -> dict:
    _quiet(verbose)

    def call() -> dict:
        from flows.monitor import monitor

        return monitor(str(config) if config else None, db, every_feed)

    summary = _with_bars(as_json, verbose, call)
    if as_json:
        print(to_json(summary))
    else:
        render_summary(console, summary)
    return summary


AllFeedsOption = Annotated[
    bool, typer.Option("--all-feeds", help="Read every feed now, due or not (paused ones wait).")
]


@app.command()
def run(
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
    all_feeds: AllFeedsOption = False,
) -> None:
    """Run one monitor pass over the feeds that are due; exit 1 if it failed (every feed failed,
    or the warehouse could not be written)."""
    ready_or_exit(settings_or_exit(config, db))  # a bad config or lake fails before Prefect
    summary = _run_monitor(config, db, as_json, verbose, all_feeds)
    raise typer.Exit(0 if summary["status"] in SUCCESS else 1)


@app.command()
def demo(
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Serve the sample newsroom on 127.0.0.1 and run one monitor pass against it."""
    from devtools.newsroom_server import Newsroom

    config = config or DEMO_CONFIG
    settings = settings_or_exit(config, db)
    ready_or_exit(settings)
    with Newsroom(port=NEWSROOM_PORT) as newsroom:
        if not as_json:
            console.print(f"The sample newsroom is up at {newsroom.base_url}", highlight=False)
        summary = _run_monitor(config, db, as_json, verbose, every_feed=False)
    if not as_json:
        print_trends(settings, days=3650, top=5)
    raise typer.Exit(0 if summary["status"] in SUCCESS else 1)


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
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Runs of the backfill/worker deployment that share the job's queue on the work "
            "pool (PREFECT_API_URL; config default backfill.workers).",
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fill a past date range (both ends included); run it again to resume an interrupted one."""
    from tasks.backfill.window import make_job

    settings = settings_or_exit(config, db)
    try:  # the arguments fail here, before Prefect starts, with a clear message
        make_job(source, since.date(), until.date(), undated or settings.backfill.undated, urls)
        if (workers or settings.backfill.workers) > 1 and not os.environ.get("PREFECT_API_URL"):
            raise ValueError(
                "--workers needs the work pool's Prefect server: set PREFECT_API_URL "
                "(README: A backfill shared by many workers)"
            )
    except (ValueError, OSError) as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if not dry_run:
        ready_or_exit(settings)
    arguments = dict(
        since=since.date(),
        until=until.date(),
        source=source,
        urls_file=str(urls) if urls else None,
        undated=undated,
        dry_run=dry_run,
        config_path=str(config) if config else None,
        db_path=str(db) if db else None,
        workers=workers,
    )

    def call() -> dict:
        from flows.backfill import backfill as backfill_flow

        return backfill_flow(**arguments)

    _quiet(False)
    summary = _with_bars(as_json, False, call)
    if as_json:
        print(to_json(summary))
    else:
        if dry_run:
            console.print_json(to_json(summary))
        else:
            render_summary(console, summary)
    raise typer.Exit(0 if summary["status"] in SUCCESS else 1)


ReplayDate = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD (default: no limit).")
]


def _replay(mode: str, since, until, config, db, as_json: bool) -> None:
    settings = settings_or_exit(config, db)  # a bad config fails here, before Prefect starts
    if since and until and since > until:
        raise fail(f"since ({since.date()}) is after until ({until.date()})", 2)
    ready_or_exit(settings)

    def call() -> dict:
        from flows.replay import replay as replay_flow

        return replay_flow(
            mode,
            since.date() if since else None,
            until.date() if until else None,
            str(config) if config else None,
            db,
        )

    _quiet(False)
    summary = _with_bars(as_json, False, call)
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


@app.command()
def newsroom(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = NEWSROOM_PORT,
) -> None:
    """Serve the bundled sample newsroom until Ctrl-C, for trying things by hand."""
    from devtools.newsroom_server import Newsroom

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
