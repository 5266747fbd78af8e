"""The quality gate: relevance and duplicate detection on the labelled set stay above their floors.

The floors live in tests/eval/floors.toml and move only with `make eval-update`.
"""

from __future__ import annotations

import pytest

from config import load_settings
from sinorus.evaluate import (
    EVAL_DIR,
    Report,
    below_floors,
    evaluate_duplicates,
    evaluate_relevance,
    read_floors,
)


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    settings = load_settings()
    return {r.name: r for r in (evaluate_relevance(settings), evaluate_duplicates(settings))}


def test_the_labelled_set_is_there() -> None:
    assert len(list((EVAL_DIR / "relevance").glob("*.txt"))) >= 60
    assert len(list((EVAL_DIR / "duplicates").glob("*.toml"))) >= 50


def test_metrics_hold_their_floors(reports: dict[str, Report]) -> None:
    problems = below_floors(list(reports.values()), read_floors())
    details = [line for r in reports.values() for line in r.wrong]
    assert not problems, "\n".join(problems + details)


def test_relevance_meets_the_issue_bar(reports: dict[str, Report]) -> None:
    relevance = reports["relevance"]
    assert relevance.precision >= 0.95 and relevance.recall >= 0.95, relevance.wrong


def test_every_duplicate_is_found_and_nothing_is_merged_wrongly(reports: dict[str, Report]) -> None:
    duplicates = reports["duplicates"]
    assert duplicates.recall == 1.0, duplicates.wrong
    assert duplicates.fp == 0, duplicates.wrong  # includes seed-vs-seed and same-event articles
    assert duplicates.tn >= 10  # distinct same-event articles were really tried
