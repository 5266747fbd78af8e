"""What each monitor run leaves in Prefect: a summary to read, the keywords that moved, and a link
to the HTML report. Plain functions build the markdown and rows; `publish_artifacts` only hands
them to Prefect."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.analyst.report import write_report
from tasks.location import report_path
from warehouse import Lake, reader, sql

SUMMARY_KEY = "monitor-run-summary"
MOVEMENTS_KEY = "keyword-movements"
REPORT_KEY = "monitor-report"

# The run summary's counts, stage by stage (sinorus/console.py prints the same for the CLI).
COUNTS = [
    ("feeds_due", "feeds due"),
    ("feeds_waiting", "feeds waiting their turn"),
    ("feeds_ok", "feeds read"),
    ("feeds_failed", "feeds failed"),
    ("entries_seen", "feed entries seen"),
    ("new_urls", "new URLs"),
    ("pages_fetched", "pages fetched"),
    ("pages_failed", "pages failed"),
    ("extracted", "articles extracted"),
    ("relevant", "relevant (China-Russia)"),
    ("irrelevant", "off-topic"),
    ("duplicates", "duplicates"),
    ("stored", "new stories stored"),
    ("already_stored", "stored meanwhile by another run"),
    ("left_urls", "URLs left for the next run"),
]
# A run that reads hundreds of stories lists the first ones; the warehouse has them all.
MAX_LISTED = 50


def _cell(value: object) -> str:
    """Return a value as a markdown table cell (pipes and line breaks would end the cell)."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _link_text(value: object) -> str:
    """Return a title as markdown link text (brackets would end the link)."""
    return _cell(value or "(no title)").replace("[", "\\[").replace("]", "\\]")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _listed(title: str, items: list) -> str:
    more = f", the first {MAX_LISTED}" if len(items) > MAX_LISTED else ""
    return f"## {title} ({len(items)}{more})"


def new_stories(lake: Lake, run_id: str) -> list[dict]:
    """Return the stories the run stored (day, title, url, source), newest first."""
    with reader(lake) as con:
        cursor = con.execute(sql("artifact_new_stories"), {"run_id": run_id})
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def keyword_movements(lake: Lake, scope: str = "news", days: int = 7, top: int = 15) -> list[dict]:
    """Return the keywords that moved most: stories in the last `days` days of stories against
    the `days` before (keyword, stories, previous, change, share)."""
    with reader(lake) as con:
        params = {"scope": scope, "days": days, "top": top}
        cursor = con.execute(sql("artifact_keyword_movements"), params)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def summary_markdown(summary: dict, stories: list[dict]) -> str:
    """Return the run's summary as markdown: counts per stage, failures, new stories."""
    lines = [f"# Monitor run `{summary['run_id'][:12]}`: {summary['status']}", ""]
    if summary.get("error"):
        lines += [f"**{summary['status']}:** {_cell(summary['error'])}", ""]
    counts = [[label, summary[key]] for key, label in COUNTS if key in summary]
    lines += _table(["stage", "count"], counts) + [""]
    failed_feeds = summary.get("failed_feeds") or []
    if failed_feeds:
        lines += [_listed("Failed feeds", failed_feeds), ""]
        rows = [[f["name"], f["url"], f["error"]] for f in failed_feeds[:MAX_LISTED]]
        lines += _table(["feed", "url", "reason"], rows) + [""]
    failed_pages = summary.get("failed_pages") or []
    if failed_pages:
        lines += [_listed("Failed URLs", failed_pages), ""]
        rows = [[p["url"], p["stage"], p["reason"]] for p in failed_pages[:MAX_LISTED]]
        lines += _table(["url", "stage", "reason"], rows) + [""]
    lines += [_listed("New stories", stories), ""]
    for story in stories[:MAX_LISTED]:
        source = f" ({_cell(story['source'])})" if story["source"] else ""
        lines.append(f"- {story['day']} [{_link_text(story['title'])}](<{story['url']}>){source}")
    if not stories:
        lines.append("None this run.")
    return "\n".join(lines) + "\n"


def report_link(path: Path) -> str:
    """Return the report's file:// URL (of its absolute path)."""
    return Path(path).expanduser().resolve().as_uri()


def publish_artifacts(
    lake: Lake, summary: dict, report: Path | None = None, scope: str = "news", days: int = 7
) -> list[str]:
    """Return the keys of the artifacts created for the run: its summary, the keyword
    movements, and a link to the HTML report when there is one."""
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    run = summary["run_id"][:12]
    create_markdown_artifact(
        summary_markdown(summary, new_stories(lake, summary["run_id"])),
        key=SUMMARY_KEY,
        description=f"What monitor run {run} did",
    )
    keys = [SUMMARY_KEY]
    movements = keyword_movements(lake, scope, days)
    if movements:  # none only in a lake without news stories
        create_table_artifact(
            movements,
            key=MOVEMENTS_KEY,
            description=(
                f"Stories naming each keyword in the last {days} days of stories (scope {scope}) "
                f"against the {days} days before, after run {run}"
            ),
        )
        keys.append(MOVEMENTS_KEY)
    if report is not None:
        create_link_artifact(
            report_link(report),
            link_text="The HTML report",
            key=REPORT_KEY,
            description=f"The report written after run {run}",
        )
        keys.append(REPORT_KEY)
    return keys


def write_run_report(lake: Lake, settings: Settings) -> Path | None:
    """Return where the run's HTML report was written, or None (none configured, or it failed:
    a report is a view of the warehouse, and the run that filled it stands without one)."""
    out = report_path(settings)
    if out is None:
        return None
    try:
        return write_report(lake, settings, out)
    except Exception as exc:  # noqa: BLE001 — any failure of a view must not fail the run
        get_run_logger().warning(f"the HTML report could not be written to {out}: {exc}")
        return None


write_run_report_task = task(write_run_report, name="write-report", cache_policy=NONE)
publish_artifacts_task = task(publish_artifacts, name="publish-artifacts", cache_policy=NONE)
