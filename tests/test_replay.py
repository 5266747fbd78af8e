"""`sinorus replay`: decisions replayed on stored texts (or re-extracted from kept HTML) when
the rules change, page by page, recorded as a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import load_settings
from sinorus.cli import app
from tasks.location import lake_of
from tasks.seeds import load_seeds
from tests.conftest import rows
from warehouse import snapshots

runner = CliRunner()


def _config(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    catalog = tmp_path / "w.sqlite"
    path.write_text(
        f'[warehouse]\ncatalog = "{catalog}"\ncommit_limit = false\n{body}', encoding="utf-8"
    )
    return path


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A lake holding the seed baseline; returns its catalog."""
    settings = load_settings(_config(tmp_path, "a.toml", ""))
    load_seeds(lake_of(settings), settings)
    return tmp_path / "w.sqlite"


def _replay(config: Path, *args: str) -> dict:
    result = runner.invoke(app, ["replay", "--config", str(config), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_higher_threshold_turns_articles_off_and_back_on(
    prefect_harness, seeded: Path, tmp_path: Path
) -> None:
    scores = dict(rows(seeded, "select canonical_url, relevance from articles"))
    strict = _config(tmp_path, "b.toml", f"[topic]\nthreshold = {max(scores.values()) + 1}\n")
    summary = _replay(strict)
    assert summary["status"] == "completed" and summary["flow"] == "replay"
    done = summary["replay"]
    assert (done["articles"], done["no_longer_relevant"], done["relevant"]) == (5, 5, 0)
    assert rows(seeded, "select count(*) from stories") == [(0,)]
    assert rows(seeded, "select distinct relevance_threshold from articles") == [
        (max(scores.values()) + 1,)
    ]
    summary = _replay(_config(tmp_path, "a2.toml", ""))
    assert (summary["replay"]["now_relevant"], summary["replay"]["relevant"]) == (5, 5)
    assert dict(rows(seeded, "select canonical_url, relevance from articles")) == scores
    # Each replay is a run like any other.
    assert rows(seeded, "select flow, status, extracted from runs order by started_at") == [
        ("replay", "completed", 5),
        ("replay", "completed", 5),
    ]


def test_new_keywords_are_counted_and_old_ones_forgotten(
    prefect_harness, seeded: Path, tmp_path: Path
) -> None:
    assert rows(
        seeded, "select count(*) from keyword_mentions where keyword = 'Kremlin watch'"
    ) == [(0,)]
    only = _config(
        tmp_path,
        "k.toml",
        '[[keywords]]\nname = "Kremlin watch"\naliases = ["Kremlin", "Peskov"]\n',
    )
    summary = _replay(only)
    keywords = {row[0] for row in rows(seeded, "select distinct keyword from keyword_mentions")}
    assert keywords == {"Kremlin watch"}
    assert (
        summary["replay"]["keyword_mentions"]
        == rows(seeded, "select count(*) from keyword_mentions")[0][0]
        > 0
    )


def test_evidence_is_stored_and_explains_the_score(prefect_harness, seeded: Path) -> None:
    for score, evidence in rows(seeded, "select relevance, relevance_evidence from articles"):
        evidence = json.loads(evidence)
        assert round(sum(evidence["components"].values()), 2) == score
        assert evidence["china"] and evidence["russia"] and evidence["examples"]


def test_replay_reads_and_writes_a_page_at_a_time_within_the_window(
    prefect_harness, seeded: Path, tmp_path: Path
) -> None:
    from flows.replay import replay

    config = _config(tmp_path, "a.toml", "")
    before = max(s["snapshot"] for s in snapshots(lake_of(load_settings(config))))
    summary = replay("rules", config_path=str(config), page_size=2)
    pages = [
        s
        for s in snapshots(lake_of(load_settings(config)), before)
        if s["message"] == "replay page"
    ]
    assert summary["replay"]["articles"] == 5 and len(pages) == 3  # 2 + 2 + 1
    assert {s["info"]["run_id"] for s in pages} == {summary["run_id"]}
    # The window: the four seeds of March 2023, not the one of December 2021.
    from datetime import date

    march = replay(
        "rules", date(2023, 3, 1), date(2023, 3, 31), config_path=str(config), page_size=2
    )
    assert march["replay"]["articles"] == 4


def test_replay_arguments_fail_clearly(tmp_path: Path) -> None:
    backwards = runner.invoke(app, ["replay", "--since", "2023-03-31", "--until", "2023-03-01"])
    assert backwards.exit_code == 2 and "is after until" in backwards.stderr
    raw = runner.invoke(
        app, ["backfill", "--since", "2023-03-01", "--until", "2023-03-31", "--source", "raw"]
    )
    assert raw.exit_code == 2 and "sinorus replay --html" in raw.stderr
