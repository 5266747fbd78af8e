"""End to end: the real monitor flow, over HTTP, against the sample newsroom, into a real lake.

Each page's expected outcome is read from newsroom/expected.toml, so a new case is a new page there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from devtools.newsroom_server import Newsroom


@pytest.fixture(scope="module")
def two_runs(prefect_harness, newsroom: Newsroom, tmp_path_factory) -> dict:
    """Run the monitor twice over an unchanged newsroom; return both summaries and the paths."""
    from flows.monitor import monitor
    from tests.conftest import write_config

    tmp = tmp_path_factory.mktemp("pipeline")
    db = tmp / "warehouse.sqlite"
    config = write_config(tmp / "sinorus.toml", newsroom.base_url, db)
    first = monitor(str(config), None)
    second = monitor(str(config), None)
    return {"first": first, "second": second, "db": db, "config": config}


def _rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    from tests.conftest import rows

    return rows(db, query, params)


def _url(newsroom: Newsroom, page: dict) -> str:
    return f"{newsroom.base_url}{page['path']}"


def test_a_monitor_run_writes_its_feeds_tags(two_runs: dict) -> None:
    from tests.conftest import NEWSROOM_COLLECTIONS

    expected = sorted(
        (f"Newsroom {name}", collection)
        for name, collections in NEWSROOM_COLLECTIONS.items()
        for collection in collections
    )
    assert (
        _rows(two_runs["db"], "select source, collection from feed_collections order by all")
        == expected
    )


def test_first_run_counts_match_the_newsroom(two_runs: dict, expected: dict) -> None:
    summary = two_runs["first"]
    pages = expected["page"]
    by_outcome = {
        k: [p for p in pages if p["expect"] == k]
        for k in ("stored", "duplicate", "irrelevant", "dead")
    }
    assert summary["status"] == "completed"
    assert summary["feeds_ok"] == sum(f["expect"] == "ok" for f in expected["feed"])
    assert summary["feeds_failed"] == sum(f["expect"] == "failed" for f in expected["feed"])
    assert summary["entries_seen"] == sum(f["entries"] for f in expected["feed"])
    assert summary["new_urls"] == len(pages)  # the page linked from two feeds is fetched once
    assert summary["pages_fetched"] == len(pages) - len(by_outcome["dead"])
    assert summary["stored"] == len(by_outcome["stored"])
    assert summary["duplicates"] == len(by_outcome["duplicate"])
    assert summary["irrelevant"] == len(by_outcome["irrelevant"])
    assert summary["relevant"] == len(by_outcome["stored"]) + len(by_outcome["duplicate"])


@pytest.mark.parametrize("outcome", ["stored", "duplicate", "irrelevant"])
def test_each_page_lands_as_expected(
    two_runs: dict, expected: dict, newsroom: Newsroom, outcome: str
) -> None:
    for page in (p for p in expected["page"] if p["expect"] == outcome):
        rows = _rows(
            two_runs["db"],
            "select relevant, duplicate_of, cast(published_at as date)::varchar, date_source, origin "
            "from articles where canonical_url = ?",
            [_url(newsroom, page)],
        )
        assert len(rows) == 1, page["path"]
        relevant, duplicate_of, published, date_source, origin = rows[0]
        assert origin == "monitor"
        assert relevant is (outcome != "irrelevant"), page["path"]
        assert duplicate_of == page.get("duplicate_of"), page["path"]
        assert published == page["published"], page["path"]
        assert date_source == page["date_from"], page["path"]


def test_failures_are_reported_and_recorded(
    two_runs: dict, expected: dict, newsroom: Newsroom
) -> None:
    summary = two_runs["first"]
    broken = [f for f in expected["feed"] if f["expect"] == "failed"]
    assert sorted(f["url"] for f in summary["failed_feeds"]) == sorted(
        f"{newsroom.base_url}{f['path']}" for f in broken
    )
    assert all(f["error"] for f in summary["failed_feeds"])
    dead = {_url(newsroom, p) for p in expected["page"] if p["expect"] == "dead"}
    assert {p["url"] for p in summary["failed_pages"]} == dead
    recorded = _rows(two_runs["db"], "select canonical_url, reason, transient from page_failures")
    assert {(url, reason, transient) for url, reason, transient in recorded} == {
        (url, "HTTP 404", False) for url in dead
    }
    feeds = dict(_rows(two_runs["db"], "select url, last_status from feeds"))
    assert {url for url, status in feeds.items() if status == "failed"} == {
        f"{newsroom.base_url}{f['path']}" for f in broken
    }


def test_keywords_of_stored_pages_are_counted(
    two_runs: dict, expected: dict, newsroom: Newsroom
) -> None:
    configured = {kw.name for kw in load_settings(two_runs["config"]).keywords}
    for page in (p for p in expected["page"] if p["expect"] == "stored"):
        found = {
            row[0]
            for row in _rows(
                two_runs["db"],
                "select keyword from keyword_mentions where canonical_url = ?",
                [_url(newsroom, page)],
            )
        }
        wanted = set(page["keywords"]) & configured
        assert wanted, page["path"]
        assert wanted <= found, page["path"]


def test_trend_view_counts_stories_once(two_runs: dict, expected: dict) -> None:
    db = two_runs["db"]
    seeds = _rows(db, "select count(*) from articles where origin = 'seed'")[0][0]
    stored = sum(p["expect"] == "stored" for p in expected["page"])
    stories = _rows(db, "select count(*) from stories")[0][0]
    assert seeds == 5
    assert stories == seeds + stored  # republished seeds and off-topic pages are not stories
    # every story's mention of a keyword appears once in the trend for its day
    direct = _rows(
        db,
        "select sum(mentions) from keyword_mentions join articles using (canonical_url) "
        "where relevant and duplicate_of is null",
    )[0][0]
    assert (
        _rows(db, "select sum(mentions) from keyword_trends_daily where scope = 'all'")[0][0]
        == direct
    )
    pairs = _rows(db, "select count(*) from keyword_mentions join stories using (canonical_url)")[
        0
    ][0]
    assert (
        _rows(db, "select sum(stories) from keyword_trends_daily where scope = 'all'")[0][0]
        == pairs
    )
    duplicates = _rows(db, "select count(*) from articles where duplicate_of is not null")[0][0]
    assert duplicates == sum(p["expect"] == "duplicate" for p in expected["page"])


def test_second_run_fetches_nothing_and_stores_nothing(two_runs: dict) -> None:
    first, second = two_runs["first"], two_runs["second"]
    assert second["status"] == "completed"
    assert second["pages_fetched"] == 0
    assert second["stored"] == 0
    assert second["new_urls"] == 0
    db = two_runs["db"]
    total = _rows(db, "select count(*) from articles")[0][0]
    assert total == 5 + first["extracted"]
    runs = _rows(db, "select status, stored from runs order by started_at")
    assert runs == [("completed", first["stored"]), ("completed", 0)]


def test_every_stored_value_is_in_its_vocabulary(two_runs: dict) -> None:
    """Seeds, stories, duplicates, off-topic pages, a dead link, a broken feed, two runs: every
    text column that has a vocabulary holds only its values (tasks/records.py)."""
    assert _rows(two_runs["db"], "select * from vocabulary_violations") == []
    assert _rows(two_runs["db"], "select count(distinct column_name) from vocabularies")[0][0] > 10


def test_each_run_names_the_snapshot_its_batches_left(two_runs: dict) -> None:
    from tests.conftest import rows as lake_rows

    first = two_runs["first"]
    assert first["snapshot"] is not None and first["snapshot"] in first["snapshots"]
    assert _rows(two_runs["db"], "select snapshot from runs order by started_at")[0] == (
        first["snapshot"],
    )
    # As of that snapshot the warehouse holds exactly the first run's stories.
    from typer.testing import CliRunner

    from sinorus.cli import app

    result = CliRunner().invoke(
        app,
        [
            "sql",
            "select count(*) from stories where origin = 'monitor'",
            "--db",
            str(two_runs["db"]),
            "--format",
            "csv",
            "--as-of",
            str(first["snapshot"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == str(first["stored"])
    assert lake_rows(two_runs["db"], "select count(*) from runs")[0][0] == 2


def test_relevant_articles_keep_their_terms_and_others_none(two_runs: dict) -> None:
    db = two_runs["db"]
    per_article = dict(
        _rows(
            db,
            "select a.canonical_url, count(t.term) from articles a "
            "left join story_terms t using (canonical_url) group by all",
        )
    )
    relevant = {url for (url,) in _rows(db, "select canonical_url from articles where relevant")}
    assert relevant and all(per_article[url] > 0 for url in relevant)
    assert all(n == 0 for url, n in per_article.items() if url not in relevant)
    # What the stories are about shows in their terms: the summit's city, the pipeline's name.
    terms = {term for (term,) in _rows(db, "select term from story_terms")}
    assert {"moscow", "siberia"} <= terms


def test_a_run_stores_its_trend_thresholds(two_runs: dict) -> None:
    stored = dict(_rows(two_runs["db"], "select name, value from trend_settings"))
    assert stored == {
        name: float(value) for name, value in load_settings(two_runs["config"]).trends
    }


# ---- a page with too little text: no article, but its date is kept ----

SHORT_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Short pages</title><link>{{BASE}}/</link>
<description>Pages with too little text to be articles.</description>
<item><title>Bridge talks: live</title><link>{{BASE}}/world/bridge-talks-live.html</link>
<pubDate>Wed, 15 Mar 2023 06:00:00 +0000</pubDate></item>
<item><title>Gallery</title><link>{{BASE}}/world/gallery.html</link>
<pubDate>Mon, 20 Mar 2023 10:00:00 +0000</pubDate></item>
</channel></rss>
"""
SHORT_PAGES = {
    # dated by its metadata, a day before its feed entry: the page's own date wins
    "bridge-talks-live.html": '<meta property="article:published_time" '
    'content="2023-03-14T09:30:00+00:00">',
    "gallery.html": "",  # nothing on the page dates it: the feed entry's date stands
}


@pytest.fixture(scope="module")
def short_pages_run(prefect_harness, tmp_path_factory) -> dict:
    """Run the monitor over a site of two pages too short to be articles; return the paths."""
    from flows.monitor import monitor

    tmp = tmp_path_factory.mktemp("short")
    (tmp / "site" / "feeds").mkdir(parents=True)
    (tmp / "site" / "world").mkdir()
    (tmp / "site" / "feeds" / "short.rss").write_text(SHORT_FEED, encoding="utf-8")
    for name, head in SHORT_PAGES.items():
        (tmp / "site" / "world" / name).write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{name}</title>'
            f"{head}</head><body><article><h1>{name}</h1><p>Photos and updates to follow.</p>"
            "</article></body></html>",
            encoding="utf-8",
        )
    db = tmp / "warehouse.sqlite"
    with Newsroom(port=0, site=tmp / "site") as server:
        config = tmp / "sinorus.toml"
        config.write_text(
            f'[warehouse]\ncatalog = "{db}"\ncommit_limit = false\n\n'
            "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 5.0\n\n"
            f'[[feeds]]\nname = "Short pages"\nurl = "{server.base_url}/feeds/short.rss"\n',
            encoding="utf-8",
        )
        summary = monitor(str(config), None)
        base_url = server.base_url
    return {"summary": summary, "db": db, "base_url": base_url}


def test_a_page_too_short_to_be_an_article_keeps_its_date(short_pages_run: dict) -> None:
    base, db = short_pages_run["base_url"], short_pages_run["db"]
    assert short_pages_run["summary"]["stored"] == 0
    assert _rows(db, "select count(*) from articles where origin = 'monitor'") == [(0,)]
    recorded = _rows(
        db,
        "select canonical_url, stage, reason, published_at::varchar, date_source "
        "from page_failures order by canonical_url",
    )
    assert recorded == [
        (
            f"{base}/world/bridge-talks-live.html",
            "extract",
            "no article text found",
            "2023-03-14 00:00:00",
            "page",
        ),
        (
            f"{base}/world/gallery.html",
            "extract",
            "no article text found",
            "2023-03-20 10:00:00",
            "feed",
        ),
    ]
    assert _rows(db, "select * from vocabulary_violations") == []
    # An analyst sees the date with `sinorus sql`.
    from typer.testing import CliRunner

    from sinorus.cli import app

    result = CliRunner().invoke(
        app,
        [
            "sql",
            "select date_source, published_at from page_failures order by published_at",
            "--db",
            str(db),
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == [
        "page,2023-03-14T00:00:00",
        "feed,2023-03-20T10:00:00",
    ]
