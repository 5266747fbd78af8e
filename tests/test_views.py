"""Each view against hand-computed cases: tests/fixtures/views/<case>/ holds the stored rows
(`stories.toml`) and, per view, its whole expected output (`<view>.csv`); every view of
warehouse/views/ has at least one."""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

from config import load_settings
from tasks.location import lake_of
from warehouse import Lake, ensure_warehouse, reader, writer
from warehouse.schema import VIEWS_DIR

CASES = Path(__file__).resolve().parent / "fixtures" / "views"
EXPECTED = sorted(CASES.glob("*/*.csv"))

INSERT_ARTICLE = """
insert into articles (
    canonical_url, url, origin, source, title, language, published_at, date_source, fetched_at,
    text, text_hash, relevance, relevant, china_mentions, russia_mentions, duplicate_of
)
values (
    $url, $url, $origin, $source, $title, 'en', $published, 'page', $published,
    $title, $hash, $relevance, $relevant, 1, 1, $duplicate_of
)
"""


FEED_COLUMNS = (
    "url",
    "name",
    "last_status",
    "last_error",
    "http_status",
    "consecutive_failures",
    "entries_last",
    "last_checked_at",
    "last_ok_at",
)
INSERT_FEED = """
insert into feeds (
    url, name, last_status, last_error, http_status, consecutive_failures, entries_last,
    last_checked_at, last_ok_at
)
values (
    $url, $name, $last_status, $last_error, $http_status, $consecutive_failures, $entries_last,
    cast($last_checked_at as timestamp), cast($last_ok_at as timestamp)
)
"""


def _articles(case: dict) -> list[dict]:
    """Return the case's articles, each with a made-up URL, `count` expanded."""
    articles = []
    for spec in case.get("articles", []):
        for _ in range(spec.get("count", 1)):
            n = len(articles)
            articles.append({**spec, "url": f"https://example.org/{spec['day']}/{n}"})
    return articles


def _tag_feeds(lake: Lake, case: dict) -> None:
    """Write the case's `[[feed_tags]]` (config feeds without a URL) as a run start writes them."""
    from config.settings import Feed
    from tasks.runs import write_feed_tags

    feeds = [
        Feed.model_validate({"url": f"https://example.org/{n}.xml", **feed})
        for n, feed in enumerate(case.get("feed_tags", []))
    ]
    if feeds:
        with writer(lake, "feed tags") as commit:
            write_feed_tags(commit, feeds)


def _load(lake: Lake, case: dict) -> None:
    ensure_warehouse(lake)
    _tag_feeds(lake, case)
    articles = _articles(case)
    with writer(lake, "view fixture") as commit:
        con = commit.con
        for name, value in case.get("trend_settings", {}).items():
            con.execute(
                "insert into trend_settings (name, value) values ($name, $value)",
                {"name": name, "value": value},
            )
        for article in articles:
            relevant = article.get("relevant", True)
            con.execute(
                INSERT_ARTICLE,
                {
                    "url": article["url"],
                    "origin": article.get("origin", "monitor"),
                    "source": article["source"],
                    "title": f"story {article['url']}",
                    "published": datetime.fromisoformat(article["day"] + "T12:00:00"),
                    "hash": hashlib.sha1(article["url"].encode()).hexdigest(),
                    "relevance": 1.0 if relevant else 0.0,
                    "relevant": relevant,
                    # A copy names an article stored before it (any will do for the views).
                    "duplicate_of": articles[0]["url"] if article.get("duplicate") else None,
                },
            )
            for keyword, mentions in article.get("keywords", {}).items():
                con.execute(
                    "insert into keyword_mentions values ($url, $keyword, $mentions)",
                    {"url": article["url"], "keyword": keyword, "mentions": mentions},
                )
            if "event" in article:
                con.execute(
                    "insert into article_events (canonical_url, event_id, similarity, method, "
                    "published_at, assigned_at) values ($url, $event, 1.0, $method, "
                    "$published, $published)",
                    {
                        "url": article["url"],
                        "event": article["event"],
                        "method": article["method"],
                        "published": datetime.fromisoformat(article["day"] + "T12:00:00"),
                    },
                )
            for term in article.get("terms", []):
                con.execute(
                    "insert into story_terms values ($url, $term)",
                    {"url": article["url"], "term": term},
                )
        for feed in case.get("feeds", []):
            con.execute(INSERT_FEED, {column: feed.get(column) for column in FEED_COLUMNS})


def _cell(value: object) -> object:
    """Return a view's value in the CSV's terms: dates ISO, numbers to 4 decimals, null empty,
    booleans `true` or `false`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return round(float(value), 4)
    return value


def _expected_cell(text: str) -> object:
    try:
        return round(float(text), 4)
    except ValueError:
        return text


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Lake]:
    """One lake per case, loaded with the case's rows."""
    made = {}
    for folder in sorted({path.parent for path in EXPECTED}):
        case = tomllib.loads((folder / "stories.toml").read_text(encoding="utf-8"))
        where = tmp_path_factory.mktemp(folder.name) / "views.sqlite"
        lake = lake_of(load_settings().with_db(where))
        _load(lake, case)
        made[folder.name] = lake
    return made


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_view_gives_the_hand_computed_rows(expected: Path, lakes: dict[str, Lake]) -> None:
    with expected.open(encoding="utf-8", newline="") as file:
        table = list(csv.reader(file))
    header, wanted = table[0], [[_expected_cell(v) for v in row] for row in table[1:]]
    with reader(lakes[expected.parent.name]) as con:
        cursor = con.execute(f"select * from {expected.stem} order by all")
        columns = [d[0] for d in cursor.description]
        got = [[_cell(v) for v in row] for row in cursor.fetchall()]
    assert columns == header
    assert got == wanted, json.dumps(got, default=str, indent=1)


def test_every_view_has_a_case() -> None:
    views = {path.stem.split("_", 1)[1] for path in VIEWS_DIR.glob("*.sql")}
    covered = {path.stem for path in EXPECTED}
    assert len(views) >= 11 and views <= covered, sorted(views - covered)
    assert covered <= views, sorted(covered - views)  # a case of a view that is gone
