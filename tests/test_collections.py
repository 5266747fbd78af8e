"""Outlets and collections: feeds tagged with a country and collections in the config, the tags
written to the warehouse when a run starts (and re-tagging applying to past articles), and the
collections on the command line and in the report. The collection views themselves are checked
against hand-computed rows in tests/fixtures/views/collections/ (tests/test_views.py).
"""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import DEFAULT_CONFIG, DEMO_CONFIG, ConfigError, load_settings
from config.settings import Feed
from sinorus.cli import app
from tasks.analyst.report import collections_html
from tasks.runs import start_run, write_feed_tags
from tests.conftest import rows
from tests.test_views import CASES, _load
from warehouse import Lake, reader, writer

runner = CliRunner()
CASE = CASES / "collections" / "stories.toml"
SUMMARY = "select * exclude (first_day, last_day) from collection_summary order by collection"


def _case() -> dict:
    return tomllib.loads(CASE.read_text(encoding="utf-8"))


def _case_feeds(**changed: dict) -> list[Feed]:
    """Return the case's tagged feeds as config feeds, with some of them re-tagged."""
    return [
        Feed.model_validate(
            {"url": f"https://example.org/{n}.xml", **feed, **changed.get(feed["name"], {})}
        )
        for n, feed in enumerate(_case()["feed_tags"])
    ]


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    """A lake holding the collections case: its articles and its feeds' tags."""
    made = Lake.at(str(tmp_path / "collections.sqlite"))
    _load(made, _case())
    return made


def _csv(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


# --- the config ---------------------------------------------------------------------------------


def test_every_default_and_demo_feed_is_tagged() -> None:
    feeds = load_settings(DEFAULT_CONFIG).feeds
    assert all(feed.country and feed.collections for feed in feeds)
    members: dict[str, set[str]] = {}
    for feed in feeds:
        for name in feed.collections:
            members.setdefault(name, set()).add(feed.name)
    # Russian and Chinese outlets, state and independent, in their own languages too.
    assert {"TASS", "RIA Novosti", "Kommersant", "Interfax"} <= {
        f.name for f in feeds if f.country == "RU"
    }
    assert {"Meduza", "Novaya Gazeta Europe"} <= members["ru-independent"]
    assert {"Xinhua — World", "People's Daily — World", "Global Times"} <= members["cn-state"]
    assert {"BBC Russian", "BBC Chinese", "DW Chinese", "RFI Chinese"} <= members["western"]
    assert members["independent"] == members["ru-independent"] | members["cn-independent"]
    demo = load_settings(DEMO_CONFIG).feeds
    assert all(feed.country == "GB" and feed.collections for feed in demo)


def test_a_user_feed_needs_no_tags_and_a_country_is_stored_upper_case() -> None:
    plain = Feed(name="Mine", url="https://example.com/rss.xml")
    assert (plain.country, plain.collections) == (None, [])
    tagged = Feed(name="Mine", url="https://example.com/rss.xml", country="ru", collections=["x"])
    assert tagged.country == "RU"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ('country = "XX"', "feeds.0.country: Value error, not an ISO 3166-1 alpha-2"),
        ('country = "RUS"', "feeds.0.country: Value error, not an ISO 3166-1 alpha-2"),
        ('collections = ["ru_state"]', "feeds.0.collections: Value error, a collection is"),
        ('collections = ["-ru"]', "feeds.0.collections: Value error, a collection is"),
        ('collections = ["RU-state"]', "feeds.0.collections: Value error, a collection is"),
        ('collection = ["ru-state"]', "feeds.0.collection: unknown key"),
        ('countries = "RU"', "feeds.0.countries: unknown key"),
    ],
)
def test_bad_tags_fail_naming_the_key(tmp_path: Path, tags: str, message: str) -> None:
    path = tmp_path / "tags.toml"
    path.write_text(f'[[feeds]]\nname = "F"\nurl = "https://example.com/f.xml"\n{tags}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value)


# --- the warehouse ------------------------------------------------------------------------------


def test_a_run_start_writes_the_tags_and_retagging_applies_to_past_articles(lake: Lake) -> None:
    articles = "select * exclude (minhash, lead_minhash) from articles order by canonical_url"
    before = rows(lake, articles)
    assert rows(lake, SUMMARY) == [
        ("cn-state", 1, "CN", 5, 3, 0.6, 1, "en"),
        ("ru-independent", 1, "RU", 4, 2, 0.5, 1, "en"),
        ("ru-state", 1, "RU", 5, 3, 0.6, 1, "en"),
        ("western", 2, "GB", 3, 1, pytest.approx(1 / 3), 1, "en"),
        ("wire", 2, "CN RU", 10, 6, 0.6, 2, "en"),
    ]
    # A moves from ru-state and wire to western, with another country; the others keep theirs.
    start_run(lake, "monitor", feeds=_case_feeds(A={"country": "GB", "collections": ["western"]}))
    assert rows(lake, "select count(*) from runs") == [(1,)]
    assert rows(lake, "select source, country from feed_tags where source = 'A'") == [("A", "GB")]
    assert rows(lake, SUMMARY) == [
        ("cn-state", 1, "CN", 5, 3, 0.6, 1, "en"),
        ("ru-independent", 1, "RU", 4, 2, 0.5, 1, "en"),
        ("western", 3, "GB", 8, 4, 0.5, 2, "en"),
        ("wire", 1, "CN", 5, 3, 0.6, 1, "en"),
    ]
    daily = "select * from collection_stories_daily where collection = 'western' order by day"
    assert rows(lake, daily) == [
        ("western", date(2026, 11, 2), 2, 1, 4, 0.5),
        ("western", date(2026, 11, 3), 0, 0, 1, 0.0),
        ("western", date(2026, 11, 9), 2, 2, 3, pytest.approx(2 / 3)),
    ]
    assert rows(lake, articles) == before  # nothing was copied into the articles


def test_tags_are_rewritten_only_when_they_change(lake: Lake) -> None:
    feeds = _case_feeds()
    with writer(lake, "same tags") as commit:
        assert write_feed_tags(commit, feeds) is False
    with writer(lake, "fewer tags") as commit:
        assert write_feed_tags(commit, feeds[:2]) is True
    assert rows(lake, "select distinct source from feed_collections order by 1") == [("A",), ("B",)]
    start_run(lake, "monitor")  # a run given no feeds (a pooled worker) leaves the tags alone
    assert rows(lake, "select count(*) from feed_tags") == [(2,)]
    start_run(lake, "monitor", feeds=[])  # a config without feeds: no collection left
    assert rows(lake, "select count(*) from feed_collections") == [(0,)]
    assert rows(lake, "select count(*) from collection_summary") == [(0,)]
    empty = _trends(lake, "--by", "collection")
    assert empty.exit_code == 0 and "no collection in the warehouse" in empty.stderr


# --- the command line ---------------------------------------------------------------------------


def _trends(lake: Lake, *arguments: str):
    return runner.invoke(app, ["trends", "--db", lake.catalog, "--format", "csv", *arguments])


def test_trends_of_a_collection(lake: Lake, tmp_path: Path) -> None:
    result = _trends(lake, "--collection", "ru-state", "--plot", str(tmp_path / "ru.svg"))
    assert result.exit_code == 0, result.output
    assert [tuple(row.values()) for row in _csv(result.stdout)] == [
        ("2026-11-02", "gas", "2", "3", "1", ""),
        ("2026-11-02", "oil", "1", "1", "1", ""),
        ("2026-11-09", "oil", "1", "1", "1", ""),
    ]
    assert "Keyword stories by day — ru-state" in (tmp_path / "ru.svg").read_text(encoding="utf-8")
    shares = _csv(_trends(lake, "--collection", "ru-state", "--share").stdout)
    assert [(r["day"], r["keyword"], r["share_pct"], r["day_stories"]) for r in shares] == [
        ("2026-11-02", "gas", "100.0", "2"),
        ("2026-11-02", "oil", "50.0", "2"),
        ("2026-11-09", "oil", "100.0", "1"),
    ]
    # Two collections: the stories of feeds in either, each counted once (A is in both here).
    both = _trends(lake, "--collection", "ru-state", "--collection", "cn-state")
    wire = _trends(lake, "--collection", "ru-state", "--collection", "wire")
    assert both.stdout == wire.stdout
    assert [tuple(row.values())[:4] for row in _csv(both.stdout)] == [
        ("2026-11-02", "gas", "2", "3"),
        ("2026-11-02", "oil", "1", "1"),
        ("2026-11-02", "yuan", "1", "1"),
        ("2026-11-03", "gas", "1", "1"),
        ("2026-11-03", "oil", "1", "2"),
        ("2026-11-09", "oil", "1", "1"),
    ]


def test_trends_by_collection_compares_the_collections(lake: Lake) -> None:
    result = _trends(lake, "--by", "collection")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert list(table[0]) == [
        "keyword",
        "collection",
        "stories",
        "mentions",
        "sources",
        "share_pct",
        "volume_pct",
        "collection_stories",
        "collection_articles",
    ]
    # Each collection's stories and articles in the window, and (stories, mentions, sources)
    # of each keyword it names (tests/fixtures/views/collections/stories.toml).
    totals = {
        "cn-state": (3, 5),
        "ru-independent": (2, 4),
        "ru-state": (3, 5),
        "western": (1, 3),
        "wire": (6, 10),
    }
    counted = {
        ("gas", "cn-state"): (1, 1, 1),
        ("gas", "ru-independent"): (2, 3, 1),
        ("gas", "ru-state"): (2, 3, 1),
        ("gas", "western"): (1, 1, 1),
        ("gas", "wire"): (3, 4, 2),
        ("oil", "cn-state"): (1, 2, 1),
        ("oil", "ru-state"): (2, 2, 1),
        ("oil", "wire"): (3, 4, 2),
        ("yuan", "cn-state"): (1, 1, 1),
        ("yuan", "wire"): (1, 1, 1),
    }
    expected = []
    for keyword in ("gas", "oil", "yuan"):
        for name, (stories, articles) in totals.items():
            found, mentions, sources = counted.get((keyword, name), (0, 0, 0))
            shares = (round(100 * found / stories, 1), round(100 * found / articles, 2))
            expected.append((keyword, name, found, mentions, sources, *shares, stories, articles))
    numbers = (int, int, int, float, float, int, int)
    got = [
        (
            row["keyword"],
            row["collection"],
            *(cast(v) for cast, v in zip(numbers, list(row.values())[2:], strict=True)),
        )
        for row in table
    ]
    assert got == expected
    title = _trends(lake, "--by", "collection", "--format", "table").stdout
    assert "2026-10-11 to 2026-11-09" in " ".join(title.split())
    wire = _csv(_trends(lake, "--by", "collection", "--collection", "wire").stdout)
    assert [(r["keyword"], r["collection"], r["stories"]) for r in wire] == [
        ("gas", "wire", "3"),
        ("oil", "wire", "3"),
        ("yuan", "wire", "1"),
    ]
    named = _trends(lake, "--by", "collection", "--keyword", "Oil", "--since", "2026-11-09")
    named = _csv(named.stdout)
    assert [(r["collection"], r["stories"], r["collection_stories"]) for r in named] == [
        ("cn-state", "0", "0"),
        ("ru-independent", "0", "1"),
        ("ru-state", "1", "1"),
        ("western", "0", "1"),
        ("wire", "1", "1"),
    ]


def test_an_unknown_collection_is_an_error_listing_the_known_ones(lake: Lake) -> None:
    result = _trends(lake, "--collection", "ru-state", "--collection", "nope")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "unknown collection 'nope': the warehouse knows cn-state (1 outlet), " in said
    assert "ru-state (1 outlet), western (2 outlets), wire (2 outlets)" in said
    # `arab` is in the default config's feeds but no run has written it to this warehouse yet.
    pending = _trends(lake, "--by", "collection", "--collection", "arab")
    assert pending.exit_code == 2 and "'arab' is in the config" in " ".join(pending.stderr.split())
    plot = _trends(lake, "--by", "collection", "--plot", "x.png")
    assert plot.exit_code == 2 and "--plot takes a series by day or week" in plot.stderr


def test_feeds_shows_country_and_collections(lake: Lake) -> None:
    with writer(lake, "feeds") as commit:
        for name in ("A", "D", "Z"):
            commit.execute(
                "insert into feeds (url, name, consecutive_failures) values ($url, $name, 0)",
                {"url": f"https://example.org/{name}.xml", "name": name},
            )
    result = runner.invoke(app, ["feeds", "--db", lake.catalog, "--format", "csv"])
    assert result.exit_code == 0, result.output
    shown = {row["name"]: (row["country"], row["collections"]) for row in _csv(result.stdout)}
    assert shown == {"A": ("RU", "ru-state wire"), "D": ("US", ""), "Z": ("", "")}


# --- the report ---------------------------------------------------------------------------------


def test_the_report_compares_the_collections(lake: Lake) -> None:
    with reader(lake) as con:
        html = collections_html(con, date(2026, 11, 9))
        assert "No stories yet" in collections_html(con, None)
    cells = [row.split("</td><td>") for row in html.split("<tr><td>")[1:]]
    assert [(c[0], c[1], c[2], c[3], c[4].split("<")[0]) for c in cells] == [
        ("cn-state", "1", "3", "5", "60.0%"),
        ("ru-state", "1", "3", "5", "60.0%"),
        ("wire", "2", "6", "10", "60.0%"),
        ("ru-independent", "1", "2", "4", "50.0%"),
        ("western", "2", "1", "3", "33.3%"),
    ]
    with reader(lake) as con:  # a window before every story: no share to give
        empty = collections_html(con, date(2026, 10, 1))
    assert empty.count("<td>-</td>") == 5
