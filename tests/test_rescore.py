"""`sinorus rescore`: decisions replayed on stored texts when the rules change."""

from __future__ import annotations

import json
from pathlib import Path

from config import load_settings
from tasks.location import lake_of
from tasks.rescore import rescore
from tasks.seeds import load_seeds
from tests.conftest import rows
from warehouse import Lake


def _config(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f'[warehouse]\ncatalog = "{tmp_path / "w.sqlite"}"\n{body}', encoding="utf-8")
    return path


def _rows(db: Lake, query: str) -> list[tuple]:
    return rows(db.catalog_file, query)


def test_a_higher_threshold_turns_articles_off_and_back_on(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "a.toml", ""))
    db = lake_of(settings)
    load_seeds(db, settings)
    scores = dict(_rows(db, "select canonical_url, relevance from articles"))
    strict = load_settings(
        _config(tmp_path, "b.toml", f"[topic]\nthreshold = {max(scores.values()) + 1}\n")
    )

    summary = rescore(db, strict)
    assert (summary.articles, summary.no_longer_relevant, summary.relevant) == (5, 5, 0)
    assert _rows(db, "select count(*) from stories") == [(0,)]
    assert _rows(db, "select distinct relevance_threshold from articles") == [
        (max(scores.values()) + 1,)
    ]

    summary = rescore(db, settings)
    assert (summary.now_relevant, summary.relevant) == (5, 5)
    assert dict(_rows(db, "select canonical_url, relevance from articles")) == scores


def test_new_keywords_are_counted_and_old_ones_forgotten(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "a.toml", ""))
    db = lake_of(settings)
    load_seeds(db, settings)
    assert _rows(db, "select count(*) from keyword_mentions where keyword = 'Kremlin watch'") == [
        (0,)
    ]
    only = load_settings(
        _config(
            tmp_path,
            "k.toml",
            '[[keywords]]\nname = "Kremlin watch"\naliases = ["Kremlin", "Peskov"]\n',
        )
    )
    summary = rescore(db, only)
    keywords = {row[0] for row in _rows(db, "select distinct keyword from keyword_mentions")}
    assert keywords == {"Kremlin watch"}
    assert summary.keyword_mentions == _rows(db, "select count(*) from keyword_mentions")[0][0] > 0


def test_evidence_is_stored_and_explains_the_score(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "a.toml", ""))
    db = lake_of(settings)
    load_seeds(db, settings)
    rescore(db, settings)
    for score, evidence in _rows(db, "select relevance, relevance_evidence from articles"):
        evidence = json.loads(evidence)
        assert round(sum(evidence["components"].values()), 2) == score
        assert evidence["china"] and evidence["russia"] and evidence["examples"]
