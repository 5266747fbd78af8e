"""The lake's checks (warehouse/checks/, dbt's data tests): a lake after a real run passes them all,
and each check fails, alone, on a lake broken the way it guards against.

Each break is written with a writer and the checks run inside its transaction, which is then rolled
back: the run's lake stays clean for the next case. A check file without a case here fails
`test_each_check_fails_alone_on_the_break_it_guards_against`: adding a check is adding a case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devtools.newsroom_server import Newsroom
from sinorus.cli import app
from tasks.upkeep.maintain import ChecksFailed, maintain
from tests.conftest import write_config
from warehouse import CheckResult, Lake, ensure_warehouse, reader, run_checks, writer
from warehouse.schema import check_files

runner = CliRunner()

# The newsroom's lake has duplicates, off-topic pages, stories, a dead page and kept HTML; these
# pick one row of each kind.
DUPLICATE = "(select min(canonical_url) from articles where duplicate_of is not null)"
ORIGINAL = "(select min(canonical_url) from articles where duplicate_of is null)"
STORY = "(select min(canonical_url) from articles where relevant and duplicate_of is null)"
OTHER_STORY = "(select max(canonical_url) from articles where relevant and duplicate_of is null)"
OFFTOPIC = "(select min(canonical_url) from articles where not relevant and duplicate_of is null)"
GONE = "'https://nowhere.example/gone'"
QUEUED = (
    "insert into backfill_queue (job_id, canonical_url, url, date_source, status, updated_at) "
    "values ('job-1', {url}, {url}, 'feed', 'pending', now())"
)
JOB = (
    "insert into backfill_jobs (job_id, source, since, until, arguments, undated, status, "
    "created_at, updated_at) values ('job-1', 'urls', date '2026-01-01', date '2026-01-31', "
    "'{}', 'drop', 'discovered', now(), now())"
)

# check name: (statements that break the lake that way, other checks that then fail too)
BREAKS: dict[str, tuple[list[str], set[str]]] = {
    "accepted_range_mentions": (
        [f"update keyword_mentions set mentions = 0 where canonical_url = {STORY}"],
        set(),
    ),
    "accepted_values_vocabularies": (["update runs set status = 'half-done'"], set()),
    "not_null_duplicate_details": (
        [f"update articles set dup_method = null where canonical_url = {DUPLICATE}"],
        set(),
    ),
    "not_null_original_fingerprints": (
        [f"update articles set minhash = null where canonical_url = {ORIGINAL}"],
        set(),
    ),
    "not_null_raw_page_html": (
        [f"update raw_pages set html_zlib = html_zstd where canonical_url = {STORY}"],
        set(),
    ),
    "relationships_backfill_queue": ([QUEUED.format(url=GONE)], set()),
    "relationships_dedup_keys": ([f"insert into dedup_keys values (42, {GONE})"], set()),
    "relationships_duplicate_of": (
        [f"update articles set duplicate_of = {GONE} where canonical_url = {DUPLICATE}"],
        set(),
    ),
    "relationships_duplicate_of_original": (
        [f"update articles set duplicate_of = canonical_url where canonical_url = {DUPLICATE}"],
        set(),
    ),
    "relationships_keyword_mentions": (
        [f"insert into keyword_mentions values ({GONE}, 'china', 1)"],
        set(),
    ),
    "relationships_raw_pages": (
        [
            f"insert into raw_pages (canonical_url, url, fetched_at, html_zstd) "
            f"values ({GONE}, {GONE}, now(), '\\x00'::blob)"
        ],
        set(),
    ),
    "relationships_story_terms": (
        [f"insert into story_terms values ({OFFTOPIC}, 'stray term')"],
        set(),
    ),
    "unique_alerts_sent": (
        ["insert into alerts_sent values (date '2026-11-18', 'china', 'stdout', now(), null)"] * 2,
        set(),
    ),
    "unique_event_alerts_sent": (
        ["insert into event_alerts_sent values ('ev-0', 3, 'stdout', now(), null)"] * 2,
        set(),
    ),
    "unique_articles": (
        [f"insert into articles select * from articles where canonical_url = {OFFTOPIC}"],
        set(),
    ),
    "unique_backfill_jobs": ([JOB, JOB], set()),
    "unique_backfill_queue": ([JOB, QUEUED.format(url=GONE), QUEUED.format(url=GONE)], set()),
    "unique_feeds": (["insert into feeds select * from feeds limit 1"], set()),
    "unique_article_events": (
        ["insert into article_events select * from article_events limit 1"],
        set(),
    ),
    "relationships_article_events": (
        [
            "insert into article_events select * replace ("
            f"{GONE} as canonical_url) from article_events limit 1"
        ],
        set(),
    ),
    "relationships_event_signals": (
        [
            "insert into event_signals select * replace ("
            f"{GONE} as canonical_url) from event_signals limit 1"
        ],
        set(),
    ),
    "whole_batch_article_events": (
        [
            f"delete from event_signals where canonical_url = {STORY}",
            f"delete from article_events where canonical_url = {STORY}",
        ],
        set(),
    ),
    "unique_feed_tags": (["insert into feed_tags select * from feed_tags limit 1"], set()),
    "unique_feed_collections": (
        ["insert into feed_collections select * from feed_collections limit 1"],
        set(),
    ),
    "relationships_feed_collections": (
        ["insert into feed_collections values ('A feed nobody tagged', 'western')"],
        set(),
    ),
    "unique_keyword_mentions": (
        ["insert into keyword_mentions select * from keyword_mentions limit 1"],
        set(),
    ),
    "unique_page_failures": (
        ["insert into page_failures select * from page_failures limit 1"],
        set(),
    ),
    "unique_raw_pages": (
        [f"insert into raw_pages select * from raw_pages where canonical_url = {STORY}"],
        set(),
    ),
    "unique_rule_digests": (
        ["insert into rule_digests values ('keywords', 'abc', now())"] * 2,
        set(),
    ),
    "unique_runs": (["insert into runs select * from runs limit 1"], set()),
    "unique_schema_migrations": (
        ["insert into schema_migrations select * from schema_migrations where version = 1"],
        set(),
    ),
    "unique_story_terms": (["insert into story_terms select * from story_terms limit 1"], set()),
    "unique_story_texts": (
        [
            f"update articles set text_hash = (select text_hash from articles "
            f"where canonical_url = {STORY}) where canonical_url = {OTHER_STORY}"
        ],
        set(),
    ),
    "unique_trend_settings": (
        ["insert into trend_settings values ('spike_factor', 2.0)"] * 2,
        set(),
    ),
    "whole_batch_duplicates_unindexed": (
        [f"insert into dedup_keys values (42, {DUPLICATE})"],
        set(),
    ),
    "whole_batch_originals_indexed": (
        [f"delete from dedup_keys where canonical_url = {ORIGINAL}"],
        set(),
    ),
}


class Rollback(Exception):
    """Raised to roll a writer's transaction back: a broken lake is never committed."""


def failing(lake: Lake, statements: list[str]) -> dict[str, CheckResult]:
    """Return the checks that fail once `statements` ran, inside a transaction rolled back after."""
    found: dict[str, CheckResult] = {}
    with pytest.raises(Rollback), writer(lake) as con:
        for statement in statements:
            con.execute(statement)
        found = {result.name: result for result in run_checks(con) if not result.passed}
        raise Rollback
    return found


@pytest.fixture(scope="module")
def ran(prefect_harness, newsroom: Newsroom, tmp_path_factory) -> Lake:
    """A lake after a real monitor run over the sample newsroom (its HTML kept)."""
    from flows.monitor import monitor

    folder = tmp_path_factory.mktemp("checks")
    db = folder / "w.sqlite"
    summary = monitor(str(write_config(folder / "c.toml", newsroom.base_url, db)), None)
    assert summary["status"] == "completed" and summary["stored"] > 1
    return Lake.at(str(db))


def test_a_lake_after_a_real_run_passes_every_check(ran: Lake) -> None:
    with reader(ran) as con:
        results = run_checks(con)
        kinds = con.execute(
            "select count(*) filter (where duplicate_of is not null), "
            "count(*) filter (where not relevant), count(*) filter (where relevant) "
            "from articles"
        ).fetchone()
        kept = con.execute("select count(*) from raw_pages").fetchone()[0]
    assert [result.name for result in results] == [path.stem for path in check_files()]
    assert [result.as_dict() for result in results if not result.passed] == []
    # what the breaks below pick from is there
    duplicates, offtopic, relevant = kinds
    assert duplicates and offtopic and relevant >= 2 and kept


@pytest.mark.parametrize("name", [path.stem for path in check_files()])
def test_each_check_fails_alone_on_the_break_it_guards_against(ran: Lake, name: str) -> None:
    assert name in BREAKS, f"warehouse/checks/{name}.sql has no case in BREAKS: add one"
    statements, also = BREAKS[name]
    found = failing(ran, statements)
    assert set(found) == {name} | also
    result = found[name]
    assert result.offending >= 1 and len(result.rows) == min(result.offending, 5)
    assert result.description and all(len(row) == len(result.columns) for row in result.rows)


def test_every_case_names_a_check_file() -> None:
    assert set(BREAKS) <= {path.stem for path in check_files()}


def test_only_articles_fetched_since_the_lake_assigns_events_need_one(tmp_path: Path) -> None:
    """A lake made before migration 011 keeps its relevant articles without events until a replay
    assigns them: the check asks only those fetched since the migration was applied."""
    lake = Lake.at(str(tmp_path / "w.sqlite"))
    ensure_warehouse(lake)
    with writer(lake) as con:
        con.execute(
            "insert into articles (canonical_url, url, origin, source, fetched_at, text, "
            "text_hash, relevance, relevant, china_mentions, russia_mentions) values "
            "('https://a.example/1', 'https://a.example/1', 'monitor', 'A', "
            "cast(now() at time zone 'UTC' as timestamp), 'text', 'h1', 1.0, true, 1, 1), "
            "('https://a.example/2', 'https://a.example/2', 'monitor', 'A', "
            "cast(now() at time zone 'UTC' as timestamp), 'text', 'h2', 0.0, false, 0, 0)"
        )

    def offending() -> list[tuple]:
        with reader(lake) as con:
            found = {result.name: result for result in run_checks(con)}
        return list(found["whole_batch_article_events"].rows)

    assert offending() == [("https://a.example/1", None)]  # the off-topic one needs none
    with writer(lake) as con:  # as if the lake had been migrated after the article was fetched
        con.execute(
            "update schema_migrations set applied_at = applied_at + interval 1 day "
            "where version = 11"
        )
    assert offending() == []


def test_a_check_counts_every_offending_row_and_shows_the_first(tmp_path: Path) -> None:
    lake = Lake.at(str(tmp_path / "w.sqlite"))
    ensure_warehouse(lake)
    with writer(lake) as con:
        con.execute(
            "insert into keyword_mentions select 'https://gone.example/' || i, 'china', 1 "
            "from range(70000) t(i)"
        )
    with reader(lake) as con:
        results = {result.name: result for result in run_checks(con, limit=3)}
    orphans = results["relationships_keyword_mentions"]
    assert orphans.offending == 70000  # past one Arrow batch
    assert orphans.rows == (
        ("https://gone.example/0", "china", 1),
        ("https://gone.example/1", "china", 1),
        ("https://gone.example/10", "china", 1),
    )
    assert {name for name, result in results.items() if not result.passed} == {
        "relationships_keyword_mentions"
    }


def _broken_lake(tmp_path: Path) -> Path:
    """Return the catalog of a new lake with two mentions of an article it does not have."""
    db = tmp_path / "w.sqlite"
    with writer(Lake.at(str(db))) as con:
        con.execute(
            "insert into keyword_mentions values "
            "('https://gone.example/a', 'china', 2), ('https://gone.example/b', 'russia', 1)"
        )
    return db


def test_the_check_command_passes_a_clean_lake_and_names_the_rows_of_a_broken_one(
    ran: Lake, tmp_path: Path
) -> None:
    clean = runner.invoke(app, ["warehouse", "check", "--db", ran.catalog])
    assert clean.exit_code == 0, clean.output
    assert f"{len(check_files())} checks on" in clean.stdout and "all pass" in clean.stdout
    assert "FAIL" not in clean.stdout

    db = _broken_lake(tmp_path)
    broken = runner.invoke(app, ["warehouse", "check", "--db", str(db), "--rows", "1"])
    assert broken.exit_code == 1
    assert "FAIL relationships_keyword_mentions: 2 offending rows, the first 1 shown" in (
        broken.stdout
    )
    assert "https://gone.example/a" in broken.stdout  # the row itself, in a table
    assert "https://gone.example/b" not in broken.stdout
    assert "pass unique_articles" in broken.stdout and "1 fail" in broken.stdout

    as_json = runner.invoke(app, ["warehouse", "check", "--db", str(db), "--json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["passed"] is False
    [failed] = [check for check in report["checks"] if not check["passed"]]
    assert failed["name"] == "relationships_keyword_mentions" and failed["offending"] == 2
    assert failed["rows"][0] == {
        "canonical_url": "https://gone.example/a",
        "keyword": "china",
        "mentions": 2,
    }

    missing = runner.invoke(app, ["warehouse", "check", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1 and "no warehouse at" in missing.stderr


def test_maintenance_reports_the_checks_that_fail_after_it(prefect_harness, tmp_path: Path) -> None:
    from flows.maintenance import maintenance

    db = _broken_lake(tmp_path)
    report = maintain(Lake.at(str(db)), keep_snapshots_days=30)
    assert report.checks_failed == {"relationships_keyword_mentions": 2}
    assert report.checks_passed == len(check_files()) - 1

    command = runner.invoke(app, ["warehouse", "maintain", "--db", str(db), "--json"])
    assert command.exit_code == 1
    assert json.loads(command.stdout)["checks_failed"] == {"relationships_keyword_mentions": 2}
    assert "checks fail on" in command.stderr
    assert "relationships_keyword_mentions (2 rows)" in command.stderr

    with pytest.raises(ChecksFailed, match="relationships_keyword_mentions"):
        maintenance(db_path=str(db))
