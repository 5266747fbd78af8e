"""The command line, in process: run, sql, trends, config errors, and the README kept true to --help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sinorus.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def ran(prefect_harness, newsroom, tmp_path_factory) -> dict:
    """`sinorus run --json` once against the newsroom; return its parsed output and paths."""
    from tests.conftest import write_config

    tmp = tmp_path_factory.mktemp("cli")
    db = tmp / "cli.sqlite"
    config = write_config(tmp / "cli.toml", newsroom.base_url, tmp / "unused.sqlite")
    result = runner.invoke(app, ["run", "--config", str(config), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return {"summary": json.loads(result.stdout), "db": db, "config": config}


def test_run_json_has_the_summary_fields(ran: dict) -> None:
    summary = ran["summary"]
    for key in (
        "feeds_ok",
        "feeds_failed",
        "entries_seen",
        "pages_fetched",
        "extracted",
        "relevant",
        "duplicates",
        "stored",
    ):
        assert isinstance(summary[key], int), key
    assert summary["stored"] > 0
    assert summary["feeds_failed"] == 1
    assert ran["db"].exists()  # --db wins over the config's warehouse.catalog
    assert (ran["db"].parent / "cli.lake").is_dir()  # its Parquet files beside it
    assert not (ran["db"].parent / "unused.sqlite").exists()


def test_sql_prints_seed_count_in_every_format(ran: dict) -> None:
    query = "select count(*) as seeds from articles where origin = 'seed'"
    table = runner.invoke(app, ["sql", query, "--db", str(ran["db"])])
    assert table.exit_code == 0 and re.search(r"\b5\b", table.stdout)
    csv = runner.invoke(app, ["sql", query, "--db", str(ran["db"]), "--format", "csv"])
    assert csv.stdout == "seeds\n5\n"
    as_json = runner.invoke(app, ["sql", query, "--db", str(ran["db"]), "--format", "json"])
    assert json.loads(as_json.stdout) == [{"seeds": 5}]


def test_sql_reads_the_db_from_the_environment(ran: dict) -> None:
    result = runner.invoke(
        app,
        ["sql", "select count(*) from runs", "--format", "csv"],
        env={"SINORUS_DB": str(ran["db"])},
    )
    assert result.stdout == "count_star()\n1\n"


def test_sql_is_read_only_and_reports_errors(ran: dict) -> None:
    result = runner.invoke(app, ["sql", "delete from articles", "--db", str(ran["db"])])
    assert result.exit_code == 1
    assert "read-only" in result.stderr.lower()
    bad = runner.invoke(app, ["sql", "selec 1", "--db", str(ran["db"])])
    assert bad.exit_code == 1 and "syntax error" in bad.stderr.lower()
    fmt = runner.invoke(app, ["sql", "select 1", "--db", str(ran["db"]), "--format", "xml"])
    assert fmt.exit_code == 2


def test_trends_lists_top_keywords_per_day(ran: dict) -> None:
    from collections import defaultdict

    from tests.conftest import rows

    result = runner.invoke(
        app, ["trends", "--db", str(ran["db"]), "--days", "3650", "--top", "2", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    shown = [line.split(",") for line in result.stdout.strip().splitlines()[1:]]
    # The same ranking computed here from the stored stories and mentions, not by the view:
    # per day, keywords by stories, then mentions, then name; the top two of each day.
    per_day: dict = defaultdict(lambda: defaultdict(lambda: [set(), 0]))
    for day, keyword, url, mentions in rows(
        ran["db"],
        "select s.day, m.keyword, m.canonical_url, m.mentions "
        "from keyword_mentions m join articles a using (canonical_url) "
        "join (select canonical_url, cast(coalesce(published_at, fetched_at) as date) as day "
        "      from articles where relevant and duplicate_of is null) s using (canonical_url)",
    ):
        per_day[day][keyword][0].add(url)
        per_day[day][keyword][1] += mentions
    day_stories = dict(rows(ran["db"], "select day, count(*) from stories group by day"))
    wanted = []
    for day in sorted(per_day, reverse=True):
        ranked = sorted(per_day[day].items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1], kv[0]))
        for rank, (keyword, (urls, mentions)) in enumerate(ranked[:2], start=1):
            share = str(round(len(urls) / day_stories[day], 3))
            wanted.append(
                [day.isoformat(), str(rank), keyword, str(len(urls)), str(mentions), share]
            )
    assert shown == wanted


def test_the_command_line_does_not_import_prefect_before_it_must() -> None:
    """`sinorus serve` sets PREFECT_API_URL before Prefect is first imported (Prefect reads it
    then); a command module that imported Prefect early sent the served runs' state to another
    server, and every scheduled run was cancelled."""
    import subprocess
    import sys

    check = "import sys, sinorus.cli; print('prefect' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_read_commands_on_a_missing_warehouse_say_so_and_create_nothing(tmp_path: Path) -> None:
    db = tmp_path / "typo" / "fresh.sqlite"
    for command in (["sql", "select count(*) from articles"], ["trends"]):
        result = runner.invoke(app, [*command, "--db", str(db)])
        assert result.exit_code == 1, result.output
        assert "no warehouse at" in result.stderr and str(db) in result.stderr
    assert not (tmp_path / "typo").exists()


def test_warehouse_init_creates_the_lake_with_its_seed_baseline(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite"
    result = runner.invoke(app, ["warehouse", "init", "--db", str(db)])
    assert result.exit_code == 0, result.output
    query = "select count(*) from articles where origin = 'seed'"
    result = runner.invoke(app, ["sql", query, "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "5"
    again = runner.invoke(app, ["warehouse", "init", "--db", str(db)])
    assert again.exit_code == 0 and "0 seed articles loaded" in again.stdout


def test_an_old_duckdb_file_as_catalog_points_to_the_import(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "select 1", "--db", str(tmp_path / "old.duckdb")])
    assert result.exit_code == 2
    assert "sinorus warehouse import" in result.stderr


def test_a_bad_config_fails_before_anything_runs_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[fetch]\ntimeout = 3\n[extract]\nworkers = -1\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "fetch.timeout: unknown key" in result.stderr
    assert "extract.workers" in result.stderr


def test_readme_names_every_command_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = {c.name or c.callback.__name__ for c in app.registered_commands} | {
        group.name for group in app.registered_groups
    }
    documented = set(re.findall(r"^\| `sinorus (\w+)", readme, flags=re.MULTILINE))
    assert documented == commands
    first_block = readme.split("```")[1]
    assert [line.split()[0:2] for line in first_block.strip().splitlines()[1:]] == [
        ["make", "demo"],
        ["make", "test"],
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--source", "rss"], "unknown source 'rss'"),
        (["--source", "urls"], "--source urls needs --urls FILE"),
        (["--undated", "guess"], "unknown no-date policy 'guess'"),
        (["--source", "urls", "--urls", "/nonexistent/urls.txt"], "No such file"),
    ],
)
def test_backfill_arguments_fail_before_anything_runs(arguments: list[str], message: str) -> None:
    result = runner.invoke(
        app, ["backfill", "--since", "2023-03-01", "--until", "2023-03-31", *arguments]
    )
    assert result.exit_code == 2
    assert message in result.stderr


def test_backfill_window_must_run_forward() -> None:
    result = runner.invoke(app, ["backfill", "--since", "2023-03-31", "--until", "2023-03-01"])
    assert result.exit_code == 2 and "is after until" in result.stderr


def test_the_cli_reference_is_generated_from_help_and_up_to_date() -> None:
    from sinorus import clidoc

    assert clidoc.missing_help() == []
    names = {" ".join(path) for path, _ in clidoc.commands()}
    assert {"run", "sql", "warehouse", "warehouse import", "warehouse maintain"} <= names
    assert clidoc.main(["--check"]) == 0, "docs/cli.md is stale: run `make docs`"
    assert "<bool>" not in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
