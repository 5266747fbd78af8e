"""The Prefect artifacts of a monitor run: its summary, the keyword movements, the report's link."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from uuid import UUID

from tasks.analyst.artifacts import keyword_movements, summary_markdown
from tests.conftest import rows, write_config
from tests.test_alerts import FIXTURE, spiky_lake

MOVEMENTS = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))["movements"]


def test_keyword_movements_compare_the_last_days_with_the_days_before(tmp_path: Path) -> None:
    lake = spiky_lake(tmp_path)
    assert keyword_movements(lake, "news", MOVEMENTS["days"]) == MOVEMENTS["rows"]
    assert keyword_movements(lake, "news", MOVEMENTS["days"], top=1) == MOVEMENTS["rows"][:1]


def test_the_summary_keeps_titles_and_reasons_inside_their_cells_and_links() -> None:
    summary = {
        "run_id": "0123456789abcdef",
        "status": "completed",
        "feeds_ok": 2,
        "stored": 1,
        "failed_feeds": [{"name": "Wire | A", "url": "http://a.example/rss", "error": "bad\nXML"}],
        "failed_pages": [],
    }
    story = {
        "day": "2026-03-07",
        "title": "Xi [and] Putin | a deal",
        "url": "http://a.example/x (1).html",
        "source": "Wire | A",
    }
    markdown = summary_markdown(summary, [story])
    assert "# Monitor run `0123456789ab`: completed" in markdown
    assert "| feeds read | 2 |" in markdown and "| new stories stored | 1 |" in markdown
    assert "| Wire \\| A | http://a.example/rss | bad XML |" in markdown
    assert "Failed URLs" not in markdown  # no empty sections
    assert (
        "- 2026-03-07 [Xi \\[and\\] Putin \\| a deal](<http://a.example/x (1).html>) (Wire \\| A)"
        in markdown
    )


def read_artifacts(run_id: str) -> dict[str, object]:
    """Return the keyed artifacts of a flow run by key (progress bars have no key)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    flow_runs = ArtifactFilterFlowRunId(any_=[UUID(run_id)])
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=flow_runs))
    return {artifact.key: artifact for artifact in found if artifact.key}


def test_a_monitor_run_leaves_its_summary_movements_and_report_link(
    prefect_harness, newsroom, expected: dict, tmp_path: Path
) -> None:
    from flows.monitor import monitor

    db = tmp_path / "w.sqlite"
    config = write_config(
        tmp_path / "c.toml", newsroom.base_url, db, extra='[report]\npath = "out/report.html"\n'
    )
    summary = monitor(config_path=str(config))
    artifacts = read_artifacts(summary["run_id"])
    assert set(artifacts) == {"monitor-run-summary", "keyword-movements", "monitor-report"}

    markdown = artifacts["monitor-run-summary"].data
    stored = [page for page in expected["page"] if page["expect"] == "stored"]
    assert f"| new stories stored | {len(stored)} |" in markdown
    assert "| feeds failed | 1 |" in markdown
    assert f"| Newsroom broken.xml | {newsroom.base_url}/feeds/broken.xml |" in markdown
    [dead] = [page for page in expected["page"] if page["expect"] == "dead"]
    [dead_row] = [line for line in markdown.splitlines() if dead["path"] in line]
    assert "404" in dead_row
    assert f"## New stories ({len(stored)})" in markdown
    for page in stored:
        assert f"- {page['published']} [" in markdown
        assert f"](<{newsroom.base_url}{page['path']}>)" in markdown

    movements = json.loads(artifacts["keyword-movements"].data)
    assert movements and set(movements[0]) == {"keyword", "stories", "previous", "change", "share"}
    # The newsroom's stories run 2026-11-11..20: the last 7 days are the 14th to the 20th.
    recent = [page for page in stored if page["published"] > "2026-11-13"]
    # (the exact counts are checked on the alerts fixture above; here, that they add up)
    for row in movements:
        assert row["change"] == row["stories"] - row["previous"]
        assert row["share"] == round(row["stories"] / len(recent), 3)
        assert row["stories"] + row["previous"] <= len(stored)
    changes = [abs(row["change"]) for row in movements]
    assert changes == sorted(changes, reverse=True)
    assert "Power of Siberia" in {row["keyword"] for row in movements if row["stories"]}

    report = artifacts["monitor-report"]
    uri = (tmp_path / "out" / "report.html").resolve().as_uri()
    assert report.data == f"[The HTML report]({uri})"  # Prefect keeps a link as markdown
    # ... and the run wrote it there, naming its stories.
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    stories = rows(
        db,
        "select a.url from articles a join stories s using (canonical_url) where s.origin <> 'seed'",
    )
    assert stories and all(url in html for (url,) in stories)


def test_the_report_goes_beside_the_warehouse_unless_told_otherwise(tmp_path: Path) -> None:
    from config import load_settings
    from tasks.location import report_path

    def where(body: str) -> Path | None:
        config = tmp_path / "r.toml"
        config.write_text(body, encoding="utf-8")
        return report_path(load_settings(config))

    sqlite = f'[warehouse]\ncatalog = "{tmp_path / "a" / "w.sqlite"}"\n'
    assert where(sqlite) == tmp_path / "a" / "report.html"
    postgres = f'[warehouse]\ncatalog = "postgres:dbname=x"\ndata_path = "{tmp_path / "lake"}/"\n'
    assert where(postgres) == tmp_path / "lake" / "report.html"
    assert where(sqlite + '[report]\npath = "/srv/r.html"\n') == Path("/srv/r.html")
    assert where(sqlite + '[report]\npath = ""\n') is None
