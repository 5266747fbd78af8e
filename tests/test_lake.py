"""The warehouse as a lake: importing an old DuckDB file, time travel, and maintenance."""

from __future__ import annotations

import gzip
import json
import shutil
import tomllib
from datetime import UTC
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import load_settings
from sinorus.cli import app
from tasks.location import lake_of
from tasks.seeds import SEEDS_DIR, load_seeds
from tasks.upkeep.maintain import maintain
from tests.conftest import rows
from warehouse import Lake, snapshots, writer

OLD = Path(__file__).resolve().parent / "fixtures" / "old_warehouse"
runner = CliRunner()


@pytest.fixture(scope="module")
def old_file(tmp_path_factory) -> Path:
    """The old demo warehouse, unpacked (DuckDB opens files, not gzip streams)."""
    target = tmp_path_factory.mktemp("old") / "demo-0.1.duckdb"
    with gzip.open(OLD / "demo-0.1.duckdb.gz") as packed, target.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return target


@pytest.fixture(scope="module")
def expected() -> dict:
    return tomllib.loads((OLD / "expected.toml").read_text(encoding="utf-8"))


def _import(old: Path, db: Path) -> dict:
    result = runner.invoke(app, ["warehouse", "import", str(old), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_old_warehouse_is_imported_whole_and_only_once(
    old_file: Path, expected: dict, tmp_path: Path
) -> None:
    db = tmp_path / "lake.sqlite"
    first = _import(old_file, db)
    assert first["exported_by"] == "DuckDB 2.0.0"  # the installed 1.5 cannot read it: uv ran 2.0
    assert {t: c["imported"] for t, c in first["tables"].items()} == expected["rows"]
    assert first["indexed"] == expected["derived"]["originals"]
    second = _import(old_file, db)
    assert {t: c["imported"] for t, c in second["tables"].items()} == dict.fromkeys(
        expected["rows"], 0
    )
    assert {t: c["present"] for t, c in second["tables"].items()} == expected["rows"]
    for table, count in expected["rows"].items():
        assert rows(db, f"select count(*) from {table}") == [(count,)], table
    assert rows(db, "select count(*) from stories") == [(expected["derived"]["stories"],)]
    top = rows(
        db,
        "select keyword, sum(stories) from keyword_trends_daily where scope = 'all' "
        "group by keyword order by 2 desc, 1 limit 1",
    )
    assert top == [(expected["derived"]["top_keyword"], expected["derived"]["top_keyword_stories"])]
    assert rows(db, "select count(distinct canonical_url) from dedup_keys") == [
        (expected["derived"]["originals"],)
    ]


def test_imported_articles_are_found_as_originals_of_later_copies(
    old_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "lake.sqlite"
    _import(old_file, db)
    settings = load_settings().with_db(str(db))
    # Loading the seed baseline again finds every seed already there: nothing twice.
    assert load_seeds(lake_of(settings), settings) == 0
    from tests.test_warehouse import duplicate_of

    text = (SEEDS_DIR / "002_d65207c423398da4.txt").read_text(encoding="utf-8")
    found = duplicate_of(lake_of(settings), settings, text.replace("\n\n", "\n\nAdvert\n\n", 2))
    assert found is not None and found.of == "seed://002_d65207c423398da4"


def test_importing_a_file_that_is_not_a_warehouse_fails_clearly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all")
    result = runner.invoke(
        app, ["warehouse", "import", str(junk), "--db", str(tmp_path / "w.sqlite")]
    )
    assert result.exit_code == 1
    assert "error:" in result.stderr and "junk.duckdb" in result.stderr
    missing = runner.invoke(
        app, ["warehouse", "import", str(tmp_path / "none.duckdb"), "--db", str(tmp_path / "w")]
    )
    assert missing.exit_code == 1 and "no DuckDB file at" in missing.stderr


def _add_run(lake: Lake, run_id: str) -> int:
    with writer(lake, "test run", {"run_id": run_id}) as con:
        con.execute(
            "insert into runs (run_id, flow, started_at, status) "
            "values ($run_id, 'monitor', now(), 'completed')",
            {"run_id": run_id},
        )
    return con.snapshot


def test_as_of_answers_from_the_snapshot_of_that_moment(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    lake = Lake.at(str(db))
    first = _add_run(lake, "a")
    second = _add_run(lake, "b")
    assert second > first
    count = "select count(*) from runs"
    for as_of, expected_count in [(first, 1), (second, 2)]:
        result = runner.invoke(
            app, ["sql", count, "--db", str(db), "--format", "csv", "--as-of", str(as_of)]
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == str(expected_count)
    moment = {s["snapshot"]: s["at"] for s in snapshots(lake)}[first]
    at_time = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    result = runner.invoke(
        app, ["sql", count, "--db", str(db), "--format", "csv", "--as-of", at_time]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1"
    now = runner.invoke(app, ["sql", count, "--db", str(db), "--format", "csv"])
    assert now.stdout.splitlines()[-1] == "2"
    trends = runner.invoke(app, ["trends", "--db", str(db), "--as-of", str(first)])
    assert trends.exit_code == 0 and f"as of {first}" in trends.stdout


def test_as_of_before_the_lake_or_malformed_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    _add_run(Lake.at(str(db)), "a")
    early = runner.invoke(app, ["sql", "select 1", "--db", str(db), "--as-of", "2001-01-01 00:00"])
    assert early.exit_code == 1 and "no snapshot of the warehouse at 2001-01-01" in early.stderr
    bad = runner.invoke(app, ["sql", "select 1", "--db", str(db), "--as-of", "last tuesday"])
    assert bad.exit_code == 2 and "--as-of takes a snapshot id or a time" in bad.stderr


def _parquet_files(lake: Lake) -> int:
    return sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))


def test_maintenance_merges_small_files_and_deletes_what_no_snapshot_needs(
    tmp_path: Path,
) -> None:
    lake = Lake.at(str(tmp_path / "w.sqlite"))
    for i in range(12):  # twelve commits of 20 rows: twelve small files (past inlining)
        with writer(lake) as con:
            con.execute(
                "insert into runs (run_id, flow, started_at, status) "
                "select $prefix || r, 'monitor', now(), 'completed' from range(20) t(r)",
                {"prefix": f"run-{i}-"},
            )
    before = _parquet_files(lake)
    assert before >= 12
    kept = maintain(lake, keep_snapshots_days=30)
    assert kept.live_files_before >= 12 and kept.live_files_after < kept.live_files_before
    assert kept.files_merged >= 12 and kept.snapshots_expired == 0
    assert kept.files_awaiting_deletion > 0  # deleted by the next pass, not under a reader
    assert rows(tmp_path / "w.sqlite", "select count(*) from runs") == [(240,)]
    again = maintain(lake, keep_snapshots_days=0)
    assert again.files_deleted == kept.files_awaiting_deletion
    assert again.snapshots_expired > 0 and again.snapshots_left == 1
    assert _parquet_files(lake) < before
    assert rows(tmp_path / "w.sqlite", "select count(*) from runs") == [(240,)]


def test_maintain_command_reports_and_refuses_a_missing_lake(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["warehouse", "maintain", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1 and "no warehouse at" in missing.stderr
    db = tmp_path / "w.sqlite"
    _add_run(Lake.at(str(db)), "a")
    result = runner.invoke(app, ["warehouse", "maintain", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["snapshots_left"] >= 1 and "files_after" in report


def test_snapshots_command_lists_who_wrote_what(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    snap = _add_run(Lake.at(str(db)), "run-42")
    result = runner.invoke(app, ["warehouse", "snapshots", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert f"{snap}," in result.stdout and "test run,run-42" in result.stdout


def test_attach_prints_sql_that_a_plain_duckdb_client_can_run(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "w.sqlite"
    _add_run(Lake.at(str(db)), "a")
    result = runner.invoke(app, ["warehouse", "attach", "--db", str(db)])
    assert result.exit_code == 0, result.output
    client = duckdb.connect()  # a new client: nothing loaded, nothing attached
    client.execute(result.stdout)  # comments, LOADs, ATTACH, USE: one script
    assert client.execute("select count(*) from runs").fetchone() == (1,)
    assert client.execute("select count(*) from stories").fetchone() == (0,)  # views included
    with pytest.raises(duckdb.Error):
        client.execute("delete from runs")  # read-only


def test_retention_drops_offtopic_html_and_text_but_keeps_the_row_and_stories(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from config.settings import Retention
    from tasks.extract_worker import compress_html
    from tasks.load import load_batch
    from tests.test_warehouse import assessed_batch

    settings = load_settings().with_db(str(tmp_path / "w.sqlite"))
    lake = lake_of(settings)
    html = b"<html><body>" + b"<p>filler paragraph</p>" * 2000 + b"</body></html>"
    batch = [
        replace(item, article=replace(item.article, html_zstd=compress_html(html)))
        for item in assessed_batch(settings)
    ]
    offtopic = [i.article.candidate.canonical_url for i in batch if not i.relevance.relevant]
    assert len(offtopic) == 1
    load_batch(lake, batch, [], "r", 24.0, settings.dedup, keep_raw=True)
    # keep no old snapshot: what retention frees is then freed for good
    before = maintain(lake, 0, delete_now=True)
    report = maintain(
        lake, 0, delete_now=True, retention=Retention(offtopic_html_days=0, offtopic_text_days=0)
    )
    assert (report.offtopic_pages_dropped, report.offtopic_texts_dropped) == (1, 1)
    db = tmp_path / "w.sqlite"
    assert rows(db, "select canonical_url from raw_pages where canonical_url = ?", offtopic) == []
    score = next(i.relevance.score for i in batch if not i.relevance.relevant)
    kept = rows(db, "select text, relevance from articles where canonical_url = ?", offtopic)
    assert kept == [("", score)]  # the row and its score stay
    assert rows(db, "select count(*) from raw_pages") == [(2,)]  # the stories keep theirs
    assert rows(db, "select count(*) from stories where text <> ''") == [(2,)]
    # Stored URLs are never fetched again, text or not.
    from tasks.plan import plan_candidates
    from tasks.records import FeedResult

    again = [
        FeedResult(feed=load_settings().feeds[0], status="ok", entries=[batch[2].article.candidate])
    ]
    assert plan_candidates(lake, again, "monitor").candidates == []
    print(f"\nbytes: {before.bytes_after} before retention, {report.bytes_after} after")
    assert report.bytes_after < before.bytes_after
