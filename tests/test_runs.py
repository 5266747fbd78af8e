"""Run bookkeeping: a run that ends in an error is marked failed in `runs`, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.backfill import backfill
from flows.monitor import monitor
from tasks.runs import record_failure, start_run
from tests.conftest import rows as lake_rows
from warehouse import Lake


def test_both_flows_record_their_failures() -> None:
    for flow in (monitor, backfill):
        assert record_failure in flow.on_failure_hooks
        assert record_failure in flow.on_crashed_hooks


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
