"""Parquet out of the warehouse: `sinorus sql --format parquet --output` and `sinorus export DIR`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from config import load_settings
from sinorus.cli import app
from tasks.analyst.export import SKIPPED
from tasks.assess import judge_batch
from tasks.load import load_batch
from tasks.seeds import load_seeds, read_seed_corpus
from tests.conftest import rows
from warehouse import Lake, writer

runner = CliRunner()

# What an export of the lake below holds: the tables and views an analyst reads (bookkeeping
# such as dedup_keys and raw_pages left out), articles and stories as month folders.
EXPECTED_FILES = {
    "alerts_sent",
    "article_events",
    "backfill_jobs",
    "collection_events_daily",
    "collection_events_weekly",
    "collection_stories_daily",
    "collection_stories_weekly",
    "collection_summary",
    "emerging_terms",
    "event_alerts_sent",
    "event_coverage",
    "event_outlets",
    "event_trends_daily",
    "events",
    "feed_collections",
    "feed_health",
    "feed_tags",
    "feeds",
    "keyword_by_collection",
    "keyword_by_source",
    "keyword_cooccurrence",
    "keyword_mentions",
    "keyword_spikes",
    "keyword_trends_daily",
    "keyword_trends_weekly",
    "page_failures",
    "runs",
    "source_volume",
    "story_terms",
    "trend_settings",
}
EXPECTED_FOLDERS = {"articles", "stories"}
# The seed stories are dated December 2021 and March 2023; the seeds are fetched now, and two
# syndicated copies of them were fetched in January 2024.
STORY_MONTHS = {"2021-12", "2023-03"}
COPIES_FETCHED = datetime(2024, 1, 15, 9, 30)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> dict:
    """A lake made by the real pipeline: the seed corpus, two later copies of seeds (stored as
    duplicates, fetched in another month), and a run; with the snapshot before the run."""
    db = tmp_path_factory.mktemp("export") / "w.sqlite"
    settings = load_settings().with_db(str(db))
    lake = Lake.at(str(db))
    assert load_seeds(lake, settings) == 5
    copies = []
    for k, seed in enumerate(read_seed_corpus()[:2]):
        url = f"https://mirror.example.org/copy-{k}"
        candidate = replace(seed.candidate, canonical_url=url, url=url, origin="monitor")
        copies.append(replace(seed, candidate=candidate, url=url, fetched_at=COPIES_FETCHED))
    load_batch(lake, judge_batch(copies, settings), [], "copies", 24.0, settings.dedup)
    before_run = rows(lake, "select id from current_snapshot()")[0][0]
    with writer(lake, "test run", {"run_id": "r1"}) as con:
        con.execute(
            "insert into runs (run_id, flow, started_at, status) "
            "values ('r1', 'monitor', now(), 'completed')"
        )
    return {"db": str(db), "lake": lake, "before_run": before_run}


def export(lake: dict, out: Path, *extra: str):
    result = runner.invoke(app, ["export", str(out), "--db", lake["db"], *extra])
    assert result.exit_code == 0, result.output
    return result


# -- sinorus sql --output -----------------------------------------------------------------------

QUERY = (
    "select canonical_url, title, origin, relevance, published_at, fetched_at, duplicate_of "
    "from articles order by canonical_url"
)


def test_sql_writes_the_query_result_to_a_parquet_file(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "it's here.parquet"  # a quote in the path: never spliced into SQL
    result = runner.invoke(
        app, ["sql", QUERY, "--db", lake["db"], "--format", "parquet", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "7 rows written" in result.stderr
    table = pq.read_table(out)
    assert table.column_names == [
        "canonical_url",
        "title",
        "origin",
        "relevance",
        "published_at",
        "fetched_at",
        "duplicate_of",
    ]
    assert [tuple(row.values()) for row in table.to_pylist()] == rows(lake["lake"], QUERY)
    assert len(table) == 7 and table.column("duplicate_of").null_count == 5


def test_sql_output_writes_csv_and_json_as_they_print(lake: dict, tmp_path: Path) -> None:
    for fmt in ("csv", "json"):
        printed = runner.invoke(app, ["sql", QUERY, "--db", lake["db"], "--format", fmt])
        out = tmp_path / f"result.{fmt}"
        written = runner.invoke(
            app, ["sql", QUERY, "--db", lake["db"], "--format", fmt, "--output", str(out)]
        )
        assert written.exit_code == 0, written.output
        assert written.stdout == ""
        assert out.read_text(encoding="utf-8") == printed.stdout
    assert len(json.loads((tmp_path / "result.json").read_text())) == 7
    assert (tmp_path / "result.csv").read_text().startswith("canonical_url,title,origin,")


def test_sql_parquet_needs_an_output_and_a_warehouse(lake: dict, tmp_path: Path) -> None:
    bare = runner.invoke(app, ["sql", "select 1", "--db", lake["db"], "--format", "parquet"])
    assert bare.exit_code == 2 and "--output FILE" in bare.stderr
    table = runner.invoke(app, ["sql", "select 1", "--db", lake["db"], "--output", "x.txt"])
    assert table.exit_code == 2 and "add --format" in table.stderr
    out = tmp_path / "x.parquet"
    missing = tmp_path / "nowhere" / "w.sqlite"
    gone = runner.invoke(
        app, ["sql", "select 1", "--db", str(missing), "--format", "parquet", "--output", str(out)]
    )
    assert gone.exit_code == 1 and "no warehouse at" in gone.stderr
    bad = runner.invoke(
        app, ["sql", "selec 1", "--db", lake["db"], "--format", "parquet", "--output", str(out)]
    )
    assert bad.exit_code == 1 and "syntax error" in bad.stderr.lower()
    assert list(tmp_path.iterdir()) == []  # no file, no half file, no warehouse made


# -- sinorus export -----------------------------------------------------------------------------


def test_export_writes_every_table_and_view_with_their_rows(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(lake, out)
    files = {p.stem for p in out.glob("*.parquet")}
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert files == EXPECTED_FILES and folders == EXPECTED_FOLDERS
    # Nothing in the catalog is forgotten: each table or view is exported or deliberately left.
    catalog = {
        name
        for (name,) in rows(
            lake["lake"],
            "select table_name from duckdb_tables() where database_name = current_database() "
            "union select view_name from duckdb_views() "
            "where database_name = current_database() and not internal",
        )
    }
    assert catalog == EXPECTED_FILES | EXPECTED_FOLDERS | set(SKIPPED)
    for name in EXPECTED_FILES:
        table = pq.read_table(out / f"{name}.parquet")
        where = " where scope = 'all'" if "scope" in table.column_names else ""
        assert len(table) == rows(lake["lake"], f"select count(*) from {name}{where}")[0][0], name
        if where:
            assert set(table.column("scope").to_pylist()) <= {"all"}, name
    assert len(pq.read_table(out / "runs.parquet")) == 1
    assert len(pq.read_table(out / "keyword_trends_daily.parquet")) > 0


def test_export_partitions_articles_and_stories_by_month(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(lake, out)
    now = datetime.now(UTC).strftime("%Y-%m")
    fetched = {p.name for p in (out / "articles").iterdir()}
    assert fetched == {f"month={now}", "month=2024-01"}
    assert {p.name for p in (out / "stories").iterdir()} == {f"month={m}" for m in STORY_MONTHS}
    articles = ds.dataset(out / "articles", partitioning="hive").to_table()
    assert len(articles) == 7
    assert "minhash" not in articles.column_names  # binary signatures stay behind
    copies = articles.filter(ds.field("month") == "2024-01")
    assert sorted(copies.column("canonical_url").to_pylist()) == [
        "https://mirror.example.org/copy-0",
        "https://mirror.example.org/copy-1",
    ]
    stories = ds.dataset(out / "stories", partitioning="hive").to_table()
    assert sorted(stories.column("canonical_url").to_pylist()) == sorted(
        url for (url,) in rows(lake["lake"], "select canonical_url from stories")
    )


def test_export_again_replaces_the_last_one_whole(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export(lake, out)
    (out / "stale.parquet").write_bytes(b"from an older export")
    export(lake, out)
    assert not (out / "stale.parquet").exists()
    assert len(ds.dataset(out / "articles", partitioning="hive").to_table()) == 7
    assert (
        len(pq.read_table(out / "keyword_mentions.parquet"))
        == rows(lake["lake"], "select count(*) from keyword_mentions")[0][0]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temp folder left


def test_export_in_scope_news_leaves_the_seed_corpus_out(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "news"
    result = export(lake, out, "--scope", "news")
    assert "scope news" in result.stdout
    origins = ds.dataset(out / "articles", partitioning="hive").to_table().column("origin")
    assert origins.to_pylist() == ["monitor", "monitor"]
    assert not (out / "stories").exists() or not any((out / "stories").rglob("*.parquet"))
    assert len(pq.read_table(out / "keyword_trends_daily.parquet")) == 0  # only seed stories
    assert json.loads((out / "_export.json").read_text())["scope"] == "news"
    wrong = runner.invoke(app, ["export", str(out), "--db", lake["db"], "--scope", "seed"])
    assert wrong.exit_code == 2 and "--scope must be all or news" in wrong.stderr


def test_export_as_of_reads_that_snapshot(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "then"
    export(lake, out, "--as-of", str(lake["before_run"]))
    assert len(pq.read_table(out / "runs.parquet")) == 0
    manifest = json.loads((out / "_export.json").read_text())
    assert manifest["snapshot"] == lake["before_run"]
    assert {item["name"] for item in manifest["written"]} == EXPECTED_FILES | EXPECTED_FOLDERS


def test_export_refuses_a_folder_that_is_not_an_export(lake: dict, tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("an analyst's own file")
    result = runner.invoke(app, ["export", str(tmp_path), "--db", lake["db"]])
    assert result.exit_code == 2 and "not an export" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_export_of_a_missing_warehouse_says_so_and_makes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "typo" / "w.sqlite"
    result = runner.invoke(app, ["export", str(tmp_path / "out" / "x"), "--db", str(db)])
    assert result.exit_code == 1
    assert "no warehouse at" in result.stderr and str(db) in result.stderr
    assert list(tmp_path.iterdir()) == []
