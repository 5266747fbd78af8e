"""A changed `[[keywords]]` list reaches every stored article at the next monitor run, without a
replay; an unchanged one costs nothing."""

from __future__ import annotations

from pathlib import Path

from config import load_settings
from tasks.location import lake_of
from tasks.seeds import load_seeds
from tasks.upkeep.recount import keywords_digest, recount_keywords, stored_digest
from tests.conftest import rows, write_config
from warehouse import snapshots


def test_the_next_run_counts_stored_articles_with_the_new_keywords(
    prefect_harness, tmp_path: Path
) -> None:
    from flows.monitor import monitor

    catalog = tmp_path / "w.sqlite"
    # No feeds to read: the run has only the stored seeds to bring up to date.
    before = write_config(tmp_path / "a.toml", "http://127.0.0.1:9", catalog)
    before.write_text(before.read_text().split("[[feeds]]")[0], encoding="utf-8")
    settings = load_settings(before)
    lake = lake_of(settings)
    load_seeds(lake, settings)
    assert rows(lake, "select count(*) from keyword_mentions where keyword = 'Kremlin watch'") == [
        (0,)
    ]
    monitor(config_path=str(before))
    assert stored_digest(lake) == keywords_digest(settings.keywords)
    configured = {row[0] for row in rows(lake, "select distinct keyword from keyword_mentions")}
    assert configured <= {keyword.name for keyword in settings.keywords}

    after = tmp_path / "b.toml"
    after.write_text(
        before.read_text()
        + '\n[[keywords]]\nname = "Kremlin watch"\naliases = ["Kremlin", "Peskov"]\n',
        encoding="utf-8",
    )
    monitor(config_path=str(after))
    # Only the new list: the seeds mention the Kremlin, and the old keywords are gone.
    keywords = {row[0] for row in rows(lake, "select distinct keyword from keyword_mentions")}
    assert keywords == {"Kremlin watch"}
    direct = sum(
        text.count("Kremlin") + text.count("Peskov")
        for title, text in rows(lake, "select title, text from articles")
        for text in [f"{title}\n{text}"]
    )
    assert rows(lake, "select sum(mentions) from keyword_mentions") == [(direct,)]
    assert rows(lake, "select count(*) from keyword_trends_daily where scope = 'all'")[0][0] > 0


def test_an_unchanged_list_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "a.toml"
    config.write_text(f'[warehouse]\ncatalog = "{tmp_path / "w.sqlite"}"\n', encoding="utf-8")
    settings = load_settings(config)
    lake = lake_of(settings)
    load_seeds(lake, settings)
    assert recount_keywords(lake, settings.keywords) == 5  # no digest yet: counted once
    made = len(snapshots(lake))
    assert recount_keywords(lake, settings.keywords) == 0
    assert len(snapshots(lake)) == made
