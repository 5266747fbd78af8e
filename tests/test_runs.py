"""Run bookkeeping: a run that ends in an error is marked failed in `runs`, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.runs import record_failure, start_run
from tests.conftest import rows as lake_rows
from warehouse import Lake


def test_a_flow_that_fails_midway_leaves_its_run_marked_failed_with_the_reason(
    prefect_harness, tmp_path: Path
) -> None:
    from prefect import flow

    db = tmp_path / "w.sqlite"

    # The same hook as the real flows, on a flow that fails after its run has started.
    @flow(on_failure=[record_failure])
    def interrupted(config_path: str | None = None, db_path: str | None = None) -> None:
        start_run(Lake.at(db_path), "monitor")
        raise RuntimeError("the feed server went away")

    with pytest.raises(RuntimeError):
        interrupted(None, str(db))
    rows = lake_rows(db, "select status, error, finished_at is not null from runs")
    assert len(rows) == 1
    status, error, finished = rows[0]
    assert status == "failed" and finished
    assert "the feed server went away" in error


def test_a_monitor_run_that_cannot_write_its_batch_fails_and_says_why(
    prefect_harness, newsroom, tmp_path: Path
) -> None:
    """The real monitor, the real hook: a file stands where the lake keeps the kept pages'
    Parquet files, so the first batch cannot be written. The run row, small enough to live in
    the catalog, records the failure."""
    from typer.testing import CliRunner

    from sinorus.cli import app
    from tests.conftest import write_config

    db = tmp_path / "w.sqlite"
    config = write_config(tmp_path / "c.toml", newsroom.base_url, db)
    runner = CliRunner()
    assert runner.invoke(app, ["warehouse", "init", "--db", str(db)]).exit_code == 0
    raw_pages = tmp_path / "w.lake" / "main" / "raw_pages"
    assert not raw_pages.exists()  # the seeds have no HTML: the monitor's first batch makes it
    raw_pages.parent.mkdir(parents=True, exist_ok=True)
    raw_pages.write_text("not a folder")
    result = runner.invoke(app, ["run", "--config", str(config), "--json"])
    assert result.exit_code == 1
    status, error, finished = lake_rows(
        db, "select status, error, finished_at is not null from runs"
    )[0]
    assert status == "failed" and finished
    assert "raw_pages" in error  # the reason names what could not be written
    assert lake_rows(db, "select count(*) from articles where origin = 'monitor'") == [(0,)]
