"""What the CLI prints: run summaries and query results, as tables, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


@contextmanager
def progress_bar(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """Yield the step function of progress bars (one per stage: done/total, rate, ETA)."""
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, object] = {}

        def step(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total or None, rate="-")
            task = tasks[what]
            bar.update(task, completed=done, total=total or None)
            speed = bar.tasks[list(tasks).index(what)].speed
            bar.update(task, rate=f"{speed:.1f}" if speed else "-")

        yield step


def to_json(data: Any) -> str:
    """Return `data` as JSON, with dates as ISO strings."""
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


def render_rows(
    console: Console, columns: list[str], rows: list[tuple], fmt: str, title: str | None = None
) -> None:
    """Print query results as a table, CSV or JSON."""
    if fmt == "json":
        console.print_json(to_json([dict(zip(columns, row, strict=True)) for row in rows]))
    elif fmt == "csv":
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(columns)
        out.writerows([[_plain(v) for v in row] for row in rows])
        console.out(buffer.getvalue(), end="", highlight=False)
    else:
        table = Table(*columns, title=title, title_justify="left")
        for row in rows:
            table.add_row(*("" if v is None else str(_plain(v)) for v in row))
        console.print(table)


COUNTS = [
    ("feeds_due", "feeds due (the others wait their turn)"),
    ("feeds_ok", "feeds read"),
    ("feeds_failed", "feeds failed"),
    ("entries_seen", "feed entries seen"),
    ("new_urls", "new URLs (not seen before)"),
    ("pages_fetched", "pages fetched"),
    ("pages_failed", "pages failed"),
    ("extracted", "articles extracted"),
    ("relevant", "relevant (China-Russia)"),
    ("irrelevant", "filtered out as off-topic"),
    ("duplicates", "duplicates (kept as sightings)"),
    ("stored", "new stories stored"),
]


def render_summary(console: Console, summary: dict) -> None:
    """Print a run summary: counts, then what failed, what repeated, and what was stored."""
    counts = Table(
        "count",
        "",
        title=f"Run {summary['run_id'][:12]} — {summary['status']}",
        title_justify="left",
    )
    for key, label in COUNTS:
        if key in summary:
            counts.add_row(label, str(summary[key]))
    if summary.get("already_stored"):
        counts.add_row("stored meanwhile by another run", str(summary["already_stored"]))
    if summary.get("left_urls"):
        counts.add_row("URLs left for the next run", str(summary["left_urls"]))
    console.print(counts)
    if summary.get("error"):
        console.print(f"[red]{summary['status']}:[/red] {summary['error']}", highlight=False)
    if summary.get("snapshot") is not None:
        console.print(
            f"Its last batch is snapshot {summary['snapshot']}: "
            f"`sinorus trends --as-of {summary['snapshot']}` shows the warehouse as it left it.",
            highlight=False,
        )
    sections = [
        ("Failed feeds", "failed_feeds", ["name", "url", "error"]),
        ("Failed pages", "failed_pages", ["url", "stage", "reason"]),
        ("Duplicates", "duplicate_pages", ["url", "duplicate_of", "similarity", "method"]),
        ("Filtered out (off-topic)", "irrelevant_pages", ["url", "title", "score"]),
        ("Stored", "stored_articles", ["published", "title", "url"]),
    ]
    if summary.get("backfill"):
        job = summary["backfill"]
        rows = [
            (k, job[k]) for k in ("job_id", "source", "since", "until", "undated_policy", "resumed")
        ]
        rows += [(f"queue: {status}", n) for status, n in job["queue"].items()]
        rows += [("note", note) for note in job["notes"]]
        render_rows(console, ["backfill", ""], rows, "table")
    for title, key, columns in sections:
        items = summary[key]
        if items:
            rows = [tuple(item[c] for c in columns) for item in items]
            render_rows(console, columns, rows, "table", title=f"{title} ({len(items)})")
