"""Tests of the warehouse on the lake: migrations, views, the load commit, seeds, the duplicate
index in the warehouse, and retry planning."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tomllib
import zlib
from contextlib import closing
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import warehouse.db as db_module
import warehouse.schema as schema
from config import Feed, Settings, load_settings
from tasks.assess import judge_batch
from tasks.dedup import fingerprint, index_keys, to_bytes
from tasks.duplicates import KEYS
from tasks.extract_worker import compress_html, stored_html
from tasks.load import ARTICLES, MENTIONS, load_batch
from tasks.location import lake_of
from tasks.plan import feed_states, plan_candidates
from tasks.records import Article, Assessed, Candidate, Failure, FeedResult, utcnow
from tasks.runs import finish_run, start_run
from tasks.seeds import SEEDS_DIR, load_seeds, seed_url
from tests.conftest import write_config
from warehouse import (
    Lake,
    MigrationChanged,
    WarehouseMissing,
    ensure_warehouse,
    migrate,
    reader,
    sql,
    writer,
)
from warehouse.schema import migration_files

ARTICLES_DIR = Path(__file__).resolve().parent.parent / "newsroom" / "articles"
SITE = "https://news.example.com"
FEED = Feed(name="Example feed", url=f"{SITE}/rss.xml")
# Every view file of warehouse/views/ (NN_name.sql makes the view `name`).
VIEWS = {path.stem.split("_", 1)[1] for path in schema.VIEWS_DIR.glob("*.sql")}


@pytest.fixture
def base_settings(tmp_path: Path) -> Settings:
    """The default settings with a fresh warehouse under tmp_path (no newsroom needed)."""
    return load_settings().with_db(tmp_path / "warehouse.sqlite")


@pytest.fixture
def db(base_settings: Settings) -> Lake:
    return lake_of(base_settings)


def count(db: Lake, table: str, where: str = "true") -> int:
    with reader(db) as con:
        return con.execute(f"select count(*) from {table} where {where}").fetchone()[0]


def load(db: Lake, batch: list[Assessed], failures: list[Failure], run_id, hours: float) -> int:
    """Return how many articles one batch commit inserted (default dedup settings)."""
    dedup = load_settings().dedup
    return load_batch(db, batch, failures, run_id, hours, dedup).inserted


def sample_text(name: str) -> tuple[str, str]:
    """Return (title, body) of a newsroom article source."""
    header, body = (ARTICLES_DIR / f"{name}.txt").read_text(encoding="utf-8").split("\n\n", 1)
    fields = dict(line.split(": ", 1) for line in header.splitlines())
    return fields["title"], body.strip()


def candidate(slug: str, published: datetime | None = None) -> Candidate:
    url = f"{SITE}/{slug}.html"
    return Candidate(
        canonical_url=url,
        url=url + "?utm_source=rss",
        origin="monitor",
        source=FEED.name,
        title=f"Feed: {slug}",
        published_at=published,
    )


def article(name: str, slug: str | None = None) -> Article:
    title, body = sample_text(name)
    published = datetime(2026, 11, 14, 8, 30)
    return Article(
        candidate=candidate(slug or name, published),
        url=f"{SITE}/{slug or name}.html",
        fetched_at=utcnow(),
        text=body,
        title=title,
        author="A. Writer",
        sitename="Example News",
        language="en",
        published_at=published,
        date_source="page",
    )


def assessed_batch(settings: Settings) -> list[Assessed]:
    """Return three judged articles: two relevant ones and an irrelevant one."""
    articles = [
        article("power-of-siberia-2-talks"),
        article("yuan-settlement-oil-gas-trade"),
        article("chinese-ev-maker-hungary-plant"),
    ]
    return judge_batch(articles, settings)


def fail(slug: str, reason: str, status: int | None, transient: bool) -> Failure:
    return Failure(
        candidate=candidate(slug, datetime(2026, 11, 19, 12)),
        stage="fetch",
        reason=reason,
        http_status=status,
        transient=transient,
    )


# ---- schema ----


def test_the_lake_is_created_once_with_every_migration(db: Lake) -> None:
    files = migration_files()
    assert files and [v for v, _ in files] == sorted({v for v, _ in files})
    assert ensure_warehouse(db) == [v for v, _ in files]
    assert db.catalog_file.exists() and Path(db.data_path).is_dir()
    with reader(db) as con:
        first = con.execute("select version, name, applied_at from schema_migrations").fetchall()
    assert [(v, n) for v, n, _ in first] == [(v, p.name) for v, p in files]
    with writer(db) as con:
        assert migrate(con) == []
    with reader(db) as con:
        assert (
            con.execute("select version, name, applied_at from schema_migrations").fetchall()
            == first
        )


def test_a_failing_migration_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_good.sql").write_text("create table good (x integer);")
    (migrations / "002_bad.sql").write_text(
        "create table half (x integer);\ninsert into no_such_table values (1);"
    )
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", migrations)
    lake = Lake.at(str(tmp_path / "m.sqlite"))
    with pytest.raises(duckdb.Error, match="no_such_table"):
        ensure_warehouse(lake)
    # Nothing of either migration landed: no migration recorded, so no lake yet for a reader,
    # and DuckLake's catalog lists none of their tables.
    with pytest.raises(WarehouseMissing, match="yet"), reader(lake):
        pass
    with closing(sqlite3.connect(tmp_path / "m.sqlite")) as catalog:
        tables = {name for (name,) in catalog.execute("select table_name from ducklake_table")}
    assert tables.isdisjoint({"good", "half", "schema_migrations"})


def test_views_exist_and_are_queryable(db: Lake) -> None:
    ensure_warehouse(db)
    with reader(db) as con:
        views = {
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where database_name = current_database()"
            ).fetchall()
        }
        assert views == VIEWS
        for view in VIEWS:
            assert con.execute(f"select * from {view}").fetchall() == []


def test_views_are_re_created_only_when_their_sql_changes(db: Lake) -> None:
    ensure_warehouse(db)
    with writer(db) as con:
        assert schema.apply_views(con) == []
        con.execute("create or replace view stories as select 1 as stale")
    with writer(db) as con:
        assert schema.apply_views(con) == ["stories"]


def _row_groups(db: Lake, table: str) -> list[int]:
    """Return the rows of each Parquet row group of the table's data files."""
    with reader(db) as con:
        alias = con.execute("select current_database()").fetchone()[0]
        files = [
            path
            for (path,) in con.execute(
                "select data_file from ducklake_list_files($alias, $table)",
                {"alias": alias, "table": table},
            ).fetchall()
        ]
        return [
            rows
            for (rows,) in con.execute(
                "select row_group_num_rows from parquet_metadata($files) "
                "where path_in_schema = 'canonical_url'",
                {"files": files},
            ).fetchall()
        ]


def test_wide_tables_are_written_in_small_row_groups_on_new_and_older_lakes(
    db: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan holds a whole row group in memory: raw_pages (kilobytes a row) is written in row
    groups of 2,048 rows, on a new lake and on one made before the option existed."""
    monkeypatch.setattr(db_module, "apply_table_options", lambda con, alias: [])
    ensure_warehouse(db)  # as a lake made before the option
    fill = (
        "insert into raw_pages (canonical_url, url, fetched_at, html_zstd) "
        "select 'https://example.org/' || range || $tag, 'u', now(), repeat('x', 100)::blob "
        "from range(5000)"
    )
    with writer(db) as con:
        con.execute(fill, {"tag": "a"})
    assert _row_groups(db, "raw_pages") == [5000]
    monkeypatch.undo()
    db_module.release(db)
    ensure_warehouse(db)  # the next process to open it sets the option
    with writer(db) as con:
        con.execute(fill, {"tag": "b"})
    assert sorted(_row_groups(db, "raw_pages")) == [904, 2048, 2048, 5000]
    new = Lake.at(str(tmp_path / "new.sqlite"))
    ensure_warehouse(new)
    with writer(new) as con:
        con.execute(fill, {"tag": "c"})
    assert sorted(_row_groups(new, "raw_pages")) == [904, 2048, 2048]


@pytest.mark.parametrize(
    ("schema", "table"),
    [(ARTICLES, "articles"), (MENTIONS, "keyword_mentions"), (KEYS, "dedup_keys")],
)
def test_arrow_schema_matches_the_table(schema, table: str, db: Lake) -> None:
    """Same columns, same order, same types; Arrow has no JSON type, so JSON columns get VARCHAR
    (DuckDB's JSON is VARCHAR underneath and the insert casts it)."""
    ensure_warehouse(db)
    with reader(db) as con:
        wanted = [
            (name, "VARCHAR" if kind == "JSON" else kind)
            for name, kind, *_ in con.execute(f"describe {table}").fetchall()
        ]
        con.register("batch", schema.empty_table())
        given = [(name, kind) for name, kind, *_ in con.execute("describe batch").fetchall()]
    assert given == wanted


def test_reader_on_a_missing_warehouse_creates_nothing(tmp_path: Path) -> None:
    missing = Lake.at(str(tmp_path / "nowhere" / "none.sqlite"))
    with pytest.raises(WarehouseMissing, match="no warehouse at"), reader(missing):
        pass
    assert issubclass(WarehouseMissing, FileNotFoundError)
    assert not (tmp_path / "nowhere").exists()


def test_a_lake_before_its_first_migration_is_not_there_yet_for_a_reader(db: Lake) -> None:
    # What a creator killed (or still at work) between DuckLake's tables and its first commit
    # leaves: attaching the new catalog for writing makes DuckLake's own tables, none of ours.
    db_module._attach(db, read_only=False)
    db_module.release(db)
    assert db.exists()
    with pytest.raises(WarehouseMissing, match="no warehouse at .* yet"), reader(db):
        pass
    ensure_warehouse(db)  # the next run makes it
    assert count(db, "runs") == 0


def test_reader_is_read_only(db: Lake) -> None:
    ensure_warehouse(db)
    with reader(db) as con, pytest.raises(duckdb.Error, match="read-only|read only"):
        con.execute("delete from articles")


def test_writer_rolls_back_on_error_and_labels_its_snapshot(db: Lake) -> None:
    insert = (
        "insert into runs (run_id, flow, started_at, status) values ('r', 'f', now(), 'running')"
    )
    with pytest.raises(RuntimeError), writer(db) as con:
        con.execute(insert)
        raise RuntimeError("stop")
    assert count(db, "runs") == 0
    with writer(db, "a test", {"run_id": "r"}) as con:
        con.execute(insert)
    assert count(db, "runs") == 1
    labelled = [s for s in db_module.snapshots(db) if s["message"] == "a test"]
    assert [s["snapshot"] for s in labelled] == [con.snapshot]
    assert labelled[0]["info"] == {"run_id": "r"}


# ---- loading ----


def test_load_batch_inserts_once(db: Lake, base_settings: Settings) -> None:
    batch = assessed_batch(base_settings)
    mentions = sum(len(item.mentions) for item in batch)
    assert mentions > 0
    assert load(db, batch, [], "run-1", 24.0) == 3
    assert (count(db, "articles"), count(db, "keyword_mentions")) == (3, mentions)
    assert load(db, batch, [], "run-2", 24.0) == 0
    assert (count(db, "articles"), count(db, "keyword_mentions")) == (3, mentions)
    assert count(db, "articles", "run_id = 'run-1'") == 3


def test_loaded_row_holds_the_judgements(db: Lake, base_settings: Settings) -> None:
    item = assessed_batch(base_settings)[0]
    load(db, [item], [], "run-1", 24.0)
    with reader(db) as con:
        row = con.execute(
            "select url, origin, source, title, published_at, date_source, relevance, relevant,"
            " china_mentions, russia_mentions, duplicate_of, text_hash, minhash, lead_minhash,"
            " shingles, title_key, relevance_threshold, relevance_evidence,"
            " json_extract(relevance_evidence, '$.components.title')::double"
            " from articles where canonical_url = ?",
            [item.article.candidate.canonical_url],
        ).fetchone()
        mentions = dict(
            con.execute(
                "select keyword, mentions from keyword_mentions where canonical_url = ?",
                [item.article.candidate.canonical_url],
            ).fetchall()
        )
    assert row[:6] == (
        item.article.url,
        "monitor",
        FEED.name,
        item.article.title,
        item.article.published_at,
        "page",
    )
    assert row[6:10] == (
        item.relevance.score,
        True,
        item.relevance.china_mentions,
        item.relevance.russia_mentions,
    )
    assert row[10] is None
    fp = item.fingerprint
    assert row[11] == fp.text_hash
    assert bytes(row[12]) == to_bytes(fp.minhash)
    assert bytes(row[13]) == to_bytes(fp.lead)
    assert row[14] == fp.shingles > 0
    assert row[15] == fp.title_key
    assert (
        fp.title_key
        == "example feed|power of siberia 2 talks gazprom and cnpc narrow the gap on gas price"
    )
    assert row[16] == base_settings.topic.threshold
    assert json.loads(row[17]) == item.relevance.evidence
    assert row[18] == item.relevance.evidence["components"]["title"]
    assert mentions == item.mentions
    assert mentions["Power of Siberia"] > 0 and mentions["gas"] > 0


def test_duplicate_is_loaded_with_its_original(db: Lake, base_settings: Settings) -> None:
    original = article("sco-summit-multipolar-order")
    copy = replace(
        original,
        candidate=candidate("copy-of-sco"),
        text=original.text.replace("\n\n", "\n\nRead more on our site\n\n", 1),
    )
    batch = judge_batch([original, copy], base_settings)
    assert load(db, batch, [], None, 24.0) == 2
    with reader(db) as con:
        row = con.execute(
            "select duplicate_of, similarity, dup_method from articles where canonical_url = ?",
            [copy.candidate.canonical_url],
        ).fetchone()
        stories = [r[0] for r in con.execute("select canonical_url from stories").fetchall()]
    assert row[0] == original.candidate.canonical_url
    assert row[1] >= base_settings.dedup.threshold and row[2] == "minhash"
    assert stories == [original.candidate.canonical_url]


def test_a_failed_load_leaves_nothing_behind(db: Lake, base_settings: Settings) -> None:
    first, second, third = assessed_batch(base_settings)
    load(db, [first], [], "run-1", 24.0)
    # keyword_mentions.keyword is NOT NULL: this batch's second insert fails, after the first.
    broken = replace(third, mentions={None: 2})
    failure = fail("another-page", "HTTP 404", 404, False)
    with pytest.raises(duckdb.ConstraintException):
        load(db, [second, broken], [failure], "run-2", 24.0)
    assert count(db, "articles") == 1
    assert count(db, "articles", "run_id = 'run-2'") == 0
    assert count(db, "keyword_mentions") == len(first.mentions)
    assert count(db, "dedup_keys") == len(index_keys(first.fingerprint, base_settings.dedup))
    assert count(db, "page_failures") == 0
    # The warehouse is usable afterwards and the same batch, mended, loads in full.
    assert load(db, [second, third], [failure], "run-3", 24.0) == 2
    assert count(db, "articles") == 3
    assert count(db, "page_failures") == 1


# ---- seeds ----


def test_load_seeds(db: Lake, base_settings: Settings) -> None:
    assert load_seeds(db, base_settings) == 5
    assert load_seeds(db, base_settings) == 0
    with (SEEDS_DIR / "seeds.toml").open("rb") as handle:
        manifest = tomllib.load(handle)["seed"]
    with reader(db) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select canonical_url, published_at, origin, date_source, source, sitename, "
                "duplicate_of from articles"
            ).fetchall()
        }
    assert len(rows) == 5
    for entry in manifest:
        published, origin, date_source, source, sitename, duplicate_of = rows[
            seed_url(entry["file"])
        ]
        assert published == datetime.combine(entry["published"], time())
        assert (origin, date_source, source) == ("seed", "seed", "seed corpus")
        assert sitename == entry["source"]
        assert duplicate_of is None


def test_views_over_the_seeds(db: Lake, base_settings: Settings) -> None:
    load_seeds(db, base_settings)
    with reader(db) as con:
        days = {r[0] for r in con.execute("select day from stories").fetchall()}
        trends = con.execute(
            "select day, stories, mentions from keyword_trends_daily "
            "where scope = 'all' and keyword = 'Ukraine'"
        ).fetchall()
        top = con.execute(
            sql("top_keywords"), {"days": 100_000, "top": 3, "scope": "all"}
        ).fetchall()
    assert {d.isoformat() for d in days} == {
        "2023-03-15",
        "2023-03-17",
        "2023-03-18",
        "2021-12-14",
        "2023-03-23",
    }
    assert trends and all(stories >= 1 and mentions >= stories for _, stories, mentions in trends)
    assert top and all(rank <= 3 for _, rank, *_ in top)


def duplicate_of(db: Lake, settings: Settings, text: str, title=None, source=None, published=None):
    """Return the Duplicate the warehouse's index finds for a text, or None (nothing stored)."""
    url = f"{SITE}/probe-{len(text)}.html"
    probe = Article(
        candidate=Candidate(
            canonical_url=url,
            url=url,
            origin="monitor",
            source=source,
            title=title,
            published_at=published,
        ),
        url=url,
        fetched_at=utcnow(),
        text=text,
        title=title,
        author=None,
        sitename=None,
        language="en",
        published_at=published,
        date_source="page",
    )
    from tasks.duplicates import decide_duplicates

    with writer(db) as con:
        (item,) = decide_duplicates(con, judge_batch([probe], settings), settings.dedup)
        con.execute("rollback")  # a probe, not a batch: store nothing
        con.execute("begin transaction")
    return item.duplicate


def test_duplicates_are_found_through_the_warehouse_index(
    db: Lake, base_settings: Settings
) -> None:
    load_seeds(db, base_settings)
    dedup = base_settings.dedup
    with reader(db) as con:
        stored = con.execute(
            "select text, title, source, published_at from articles where origin = 'seed'"
        ).fetchall()
    # Every key of every seed, as the fingerprint of its stored text makes them.
    assert count(db, "dedup_keys", "canonical_url like 'seed://%'") == sum(
        len(index_keys(fingerprint(text, title, source, published, dedup), dedup))
        for text, title, source, published in stored
    )
    seed_text = (SEEDS_DIR / "001_28fa4cede3bf2d94.txt").read_text(encoding="utf-8").strip()
    paras = seed_text.split("\n\n")
    for variant, method in [
        (seed_text.upper(), "text_hash"),
        (seed_text.replace("\n\n", "\n\nSubscribe to our newsletter\n\n", 2), "minhash"),
        ("\n\n".join(paras[:9]), "containment"),
    ]:
        found = duplicate_of(db, base_settings, variant)
        assert found is not None and (found.of, found.method) == (
            "seed://001_28fa4cede3bf2d94",
            method,
        )
    other = (SEEDS_DIR / "000_5b02c3556e09a1c0.txt").read_text(encoding="utf-8")
    assert duplicate_of(db, base_settings, other.replace("Xi", "Li")[:400]) is None


def test_a_duplicate_is_not_indexed_and_its_copies_point_to_the_original(
    db: Lake, base_settings: Settings
) -> None:
    original = article("sco-summit-multipolar-order")
    copy = replace(
        original,
        candidate=candidate("copy-of-sco"),
        text=original.text.replace("\n\n", "\n\nRead more on our site\n\n", 1),
    )
    load(db, judge_batch([original], base_settings), [], None, 24.0)
    load(db, judge_batch([copy], base_settings), [], None, 24.0)  # a later batch
    assert count(db, "dedup_keys", f"canonical_url = '{copy.candidate.canonical_url}'") == 0
    again = replace(copy, candidate=candidate("second-copy"))
    found = duplicate_of(db, base_settings, again.text)
    assert found is not None and found.of == original.candidate.canonical_url


# ---- failures and planning ----


def feed_with(*slugs: str) -> list[FeedResult]:
    return [FeedResult(feed=FEED, status="ok", entries=[candidate(slug) for slug in slugs])]


def urls(candidates: list[Candidate]) -> list[str]:
    return [c.canonical_url.removeprefix(SITE + "/") for c in candidates]


def test_failures_are_recorded(db: Lake) -> None:
    before = utcnow()
    load(
        db,
        [],
        [fail("flaky", "HTTP 503", 503, True), fail("gone", "HTTP 404", 404, False)],
        None,
        24.0,
    )
    with reader(db) as con:
        rows = {
            r[0].removeprefix(SITE + "/"): r[1:]
            for r in con.execute(
                "select canonical_url, url, reason, http_status, transient, attempts, "
                "last_failed_at, retry_after, title, feed_published_at from page_failures"
            ).fetchall()
        }
    flaky, gone = rows["flaky.html"], rows["gone.html"]
    assert flaky[:5] == (f"{SITE}/flaky.html?utm_source=rss", "HTTP 503", 503, True, 1)
    assert gone[:5] == (f"{SITE}/gone.html?utm_source=rss", "HTTP 404", 404, False, 1)
    assert flaky[6] == flaky[5] >= before  # transient: due at once
    assert gone[6] == gone[5] + timedelta(hours=24)  # lasting: due after retry_failed_after_hours
    assert gone[7:] == ("Feed: gone", datetime(2026, 11, 19, 12))


def test_plan_retries_transient_failures_at_once(db: Lake) -> None:
    failures = [fail("flaky", "timeout", None, True), fail("gone", "HTTP 404", 404, False)]
    load(db, [], failures, None, 24.0)
    # In the feed again: the transient one is fetched, the lasting one waits, new ones come.
    assert urls(plan_candidates(db, feed_with("gone", "flaky", "new"), "monitor").candidates) == [
        "flaky.html",
        "new.html",
    ]
    # Gone from the feed: a due failure is still retried, with what its entry said.
    planned = plan_candidates(db, [], "monitor").candidates
    assert urls(planned) == ["flaky.html"]
    assert planned[0].title == "Feed: flaky"
    assert planned[0].source == FEED.name
    assert planned[0].published_at == datetime(2026, 11, 19, 12)
    assert planned[0].url == f"{SITE}/flaky.html?utm_source=rss"
    # Failures are retried by the origin that recorded them.
    assert plan_candidates(db, [], "backfill").candidates == []


def test_lasting_failure_is_due_after_its_retry_time(db: Lake) -> None:
    load(db, [], [fail("gone", "HTTP 404", 404, False)], None, 24.0)
    assert plan_candidates(db, feed_with("gone"), "monitor").candidates == []
    # Failing again with no wait (retry_failed_after_hours = 0) makes it due now.
    load(db, [], [fail("gone", "HTTP 404", 404, False)], None, 0.0)
    assert count(db, "page_failures", "attempts = 2") == 1
    assert urls(plan_candidates(db, feed_with("gone"), "monitor").candidates) == ["gone.html"]


def test_stored_articles_are_not_fetched_again(db: Lake, base_settings: Settings) -> None:
    batch = assessed_batch(base_settings)
    irrelevant = batch[2]
    load(db, batch, [], None, 24.0)
    stored = [
        item.article.candidate.canonical_url.removeprefix(SITE + "/").removesuffix(".html")
        for item in batch
    ]
    assert not irrelevant.relevance.relevant
    assert urls(
        plan_candidates(db, feed_with(*stored, "fresh", "fresh"), "monitor").candidates
    ) == ["fresh.html"]


def test_success_clears_a_failure(db: Lake, base_settings: Settings) -> None:
    item = assessed_batch(base_settings)[0]
    slug = item.article.candidate.canonical_url.removeprefix(SITE + "/").removesuffix(".html")
    load(db, [], [fail(slug, "timeout", None, True)], None, 24.0)
    assert count(db, "page_failures") == 1
    load(db, [item], [], None, 24.0)
    assert count(db, "page_failures") == 0
    assert count(db, "articles") == 1


def test_feed_validators_are_kept_between_runs(db: Lake) -> None:
    polling = load_settings().polling
    summary = start_run(db, "monitor")
    ok = FeedResult(
        feed=FEED,
        status="ok",
        entries=[candidate("a")],
        etag='"v1"',
        last_modified="Sat, 21 Nov 2026 07:00:00 GMT",
        body_hash="h1",
        http_status=200,
    )
    finish_run(db, summary, [ok], {}, None, polling)
    state = feed_states(db)[FEED.url]
    assert (state.etag, state.last_modified, state.body_hash) == (
        '"v1"',
        "Sat, 21 Nov 2026 07:00:00 GMT",
        "h1",
    )
    # A 304 brings no validators: the stored ones stay. A failure counts.
    finish_run(
        db,
        start_run(db, "monitor"),
        [FeedResult(feed=FEED, status="not_modified", http_status=304)],
        feed_states(db),
        None,
        polling,
    )
    failed = [FeedResult(feed=FEED, status="failed", http_status=500, error="HTTP 500")]
    third = start_run(db, "monitor")
    third.add_feeds(failed)  # as the flow counts them
    finish_run(db, third, failed, feed_states(db), None, polling)
    state = feed_states(db)[FEED.url]
    assert (state.etag, state.last_modified, state.body_hash) == (
        '"v1"',
        "Sat, 21 Nov 2026 07:00:00 GMT",
        "h1",
    )
    assert state.consecutive_failures == 1 and state.next_fetch_at > state.last_checked_at
    with reader(db) as con:
        health = con.execute(
            "select last_status, last_error, consecutive_failures, entries_last from feed_health"
        ).fetchone()
        runs = con.execute("select status, error from runs order by started_at").fetchall()
    assert health == ("failed", "HTTP 500", 1, 1)
    # The third run read no feed at all: that is a failed run, and it says why.
    assert [status for status, _ in runs] == ["completed", "completed", "failed"]
    assert runs[-1][1] == "every feed failed (1): none could be read"


def test_a_name_that_does_not_resolve_turns_lasting_after_a_few_tries(db: Lake) -> None:
    nowhere = fail("nowhere", "dns: no address for nowhere.invalid", None, True)
    for attempt in (1, 2):
        load_batch(db, [], [nowhere], None, 24.0, load_settings().dedup, dns_limit=3)
        assert rows_of(db, "select transient, attempts from page_failures") == [(True, attempt)]
        assert urls(plan_candidates(db, [], "monitor").candidates) == ["nowhere.html"]  # due
    load_batch(db, [], [nowhere], None, 24.0, load_settings().dedup, dns_limit=3)
    assert rows_of(db, "select transient, attempts from page_failures") == [(False, 3)]
    assert plan_candidates(db, [], "monitor").candidates == []  # waits retry_failed_after_hours


def rows_of(db: Lake, query: str) -> list[tuple]:
    with reader(db) as con:
        return con.execute(query).fetchall()


def test_a_failure_with_no_date_keeps_the_date_an_earlier_one_found(db: Lake) -> None:
    short = replace(
        fail("short", "no article text found", None, False),
        stage="extract",
        published_at=datetime(2026, 11, 18),
        date_source="page",
    )
    dated = "select stage, attempts, published_at, date_source from page_failures"
    load(db, [], [short], None, 0.0)
    assert rows_of(db, dated) == [("extract", 1, datetime(2026, 11, 18), "page")]
    # Fetched again, the page fails before it can be dated: the date found before stays.
    load(db, [], [fail("short", "timeout", None, True)], None, 0.0)
    assert rows_of(db, dated) == [("fetch", 2, datetime(2026, 11, 18), "page")]
    # A new date replaces the old one, with the witness it came from.
    feed_dated = replace(short, published_at=datetime(2026, 11, 19, 12), date_source="feed")
    load(db, [], [feed_dated], None, 0.0)
    assert rows_of(db, dated) == [("extract", 3, datetime(2026, 11, 19, 12), "feed")]
    # A fetch failure has no date at all.
    load(db, [], [fail("gone", "HTTP 404", 404, False)], None, 0.0)
    assert rows_of(db, f"{dated} where stage = 'fetch'") == [("fetch", 1, None, None)]
    assert rows_of(db, "select * from vocabulary_violations") == []


def _older_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: int, cut: dict[int, str] | None = None
) -> None:
    """Make the migrations numbered below `before` the only ones (each cut where `cut` says, as it
    was when it ran on older lakes), without views (today's read new columns), until undone."""
    old = tmp_path / "old_migrations"
    old.mkdir()
    for version, path in migration_files():
        text = path.read_text(encoding="utf-8")
        if version in (cut or {}):
            text = text[: text.index(cut[version])]
        if version < before:
            (old / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", old)
    monkeypatch.setattr(schema, "VIEWS_DIR", tmp_path / "no_views")


def _as_before_checksums(db: Lake) -> None:
    """Give the lake the schema_migrations of lakes made before migration 009: no checksums."""
    with writer(db) as con:
        con.execute("alter table schema_migrations drop column checksum")
    assert "checksum" not in {c for (c, *_) in rows_of(db, "describe schema_migrations")}


def test_an_old_lake_keeps_its_zlib_pages_beside_new_zstd_ones(
    db: Lake, base_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lake made before migration 008 keeps its zlib-compressed pages readable; the next batch
    stores its pages zstd-compressed."""
    _older_migrations(tmp_path, monkeypatch, before=8)
    assert ensure_warehouse(db) == [1, 2, 3, 4, 5, 6, 7]
    old_html = b"<html><body><p>Kept by a lake before 008.</p></body></html>"
    with writer(db) as con:
        con.execute(
            "insert into raw_pages (canonical_url, url, fetched_at, html_zlib) "
            "values (?, ?, now(), ?)",
            [f"{SITE}/old.html", f"{SITE}/old.html", zlib.compress(old_html)],
        )
    monkeypatch.undo()
    db_module.release(db)
    assert ensure_warehouse(db)[:1] == [8]
    new_html = b"<html><body><p>Fetched after 008.</p></body></html>"
    batch = [
        replace(item, article=replace(item.article, html_zstd=compress_html(new_html)))
        for item in assessed_batch(base_settings)
    ]
    dedup = load_settings().dedup
    assert load_batch(db, batch, [], None, 0.0, dedup, keep_raw=True).inserted == 3
    kept = rows_of(db, "select canonical_url, html_zstd, html_zlib from raw_pages")
    assert sorted((url, z is None, zl is None) for url, z, zl in kept) == sorted(
        [(f"{SITE}/old.html", True, False)]
        + [(i.article.candidate.canonical_url, False, True) for i in batch]
    )
    pages = {url: stored_html({"html_zstd": z, "html_zlib": zl}) for url, z, zl in kept}
    assert pages.pop(f"{SITE}/old.html") == old_html
    assert set(pages.values()) == {new_html}


def test_an_old_lake_gains_the_failure_dates(
    db: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lake made before migration 006 keeps its failures and dates the next ones."""
    _older_migrations(tmp_path, monkeypatch, before=6)
    assert ensure_warehouse(db) == [1, 2, 3, 4, 5]
    with writer(db) as con:
        con.execute(
            "insert into page_failures (canonical_url, url, origin, stage, reason, transient, "
            "attempts, first_failed_at, last_failed_at, retry_after) values "
            "(?, ?, 'monitor', 'fetch', 'timeout', true, 1, now(), now(), now())",
            [f"{SITE}/short.html", f"{SITE}/short.html"],
        )
    monkeypatch.undo()
    db_module.release(db)
    assert ensure_warehouse(db)[:1] == [6]
    columns = "select attempts, published_at, date_source from page_failures"
    assert rows_of(db, columns) == [(1, None, None)]
    short = replace(
        fail("short", "no article text found", None, False),
        stage="extract",
        published_at=datetime(2026, 11, 18),
        date_source="page",
    )
    load(db, [], [short], None, 0.0)
    assert rows_of(db, columns) == [(2, datetime(2026, 11, 18), "page")]
    assert rows_of(db, "select * from vocabulary_violations") == []


def test_a_lake_whose_004_lacked_rule_digests_gains_it(
    db: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """004 gained rule_digests after it had run on some lakes: 007 makes it where it is missing."""
    _older_migrations(tmp_path, monkeypatch, before=7, cut={4: "create table rule_digests"})
    assert ensure_warehouse(db) == [1, 2, 3, 4, 5, 6]
    _as_before_checksums(db)  # they were: 009 records the 004 of today for them
    with pytest.raises(duckdb.CatalogException):
        rows_of(db, "select count(*) from rule_digests")
    monkeypatch.undo()
    db_module.release(db)
    assert ensure_warehouse(db) == [v for v, _ in migration_files() if v >= 7]
    assert rows_of(db, "select count(*) from rule_digests") == [(0,)]


# ---- migration checksums ----


def _checksums(db: Lake) -> list[tuple[str, str | None]]:
    return rows_of(db, "select name, checksum from schema_migrations order by version")


def _file_checksums() -> list[tuple[str, str]]:
    return [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for _, p in migration_files()]


def _copied_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make a copy of the migrations the ones in force, until undone; return its folder."""
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, copy)
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", copy)
    return copy


def test_each_applied_migration_is_recorded_with_its_files_sha256(db: Lake) -> None:
    ensure_warehouse(db)
    assert _checksums(db) == _file_checksums()


def test_an_applied_migration_edited_in_place_is_refused_at_start(
    db: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = _copied_migrations(tmp_path, monkeypatch)
    ensure_warehouse(db)
    db_module.release(db)
    assert ensure_warehouse(db) == []  # unchanged: accepted
    trends = migrations / "004_trends.sql"
    original = trends.read_text(encoding="utf-8")
    trends.write_text(original + "\ncreate table added_later (x integer);\n", encoding="utf-8")
    last = migration_files()[-1][0]
    (migrations / f"{last + 1:03d}_next.sql").write_text("create table next_one (x integer);")
    db_module.release(db)
    with pytest.raises(MigrationChanged, match=r"^migration 004_trends\.sql was edited after"):
        ensure_warehouse(db)
    # Refused before anything ran: neither the edit nor the next migration is in the lake.
    assert rows_of(db, "select max(version) from schema_migrations") == [(last,)]
    tables = {t for (t,) in rows_of(db, "select table_name from duckdb_tables()")}
    assert tables.isdisjoint({"added_later", "next_one"})
    # A change that is only line endings is no edit.
    trends.write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    assert ensure_warehouse(db) == [last + 1]


def test_a_lake_made_before_checksums_records_them_at_its_next_start(
    db: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _older_migrations(tmp_path, monkeypatch, before=9)
    assert ensure_warehouse(db) == [1, 2, 3, 4, 5, 6, 7, 8]
    _as_before_checksums(db)
    monkeypatch.undo()
    db_module.release(db)
    assert ensure_warehouse(db) == [v for v, _ in migration_files() if v >= 9]
    assert _checksums(db) == _file_checksums()  # the files as they are now, accepted
    db_module.release(db)
    assert ensure_warehouse(db) == []


def test_the_cli_refuses_an_edited_migration_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sinorus.cli import app

    migrations = _copied_migrations(tmp_path, monkeypatch)
    catalog = tmp_path / "w.sqlite"
    lake = Lake.at(str(catalog))
    ensure_warehouse(lake)
    db_module.release(lake)
    trends = migrations / "004_trends.sql"
    trends.write_text(trends.read_text(encoding="utf-8") + "-- edited\n", encoding="utf-8")
    # feeds on a closed port: a run that went past the refusal would fail fast, offline
    config = write_config(tmp_path / "c.toml", "http://127.0.0.1:9", catalog)
    runner = CliRunner()
    for command in (["warehouse", "init"], ["run"]):
        result = runner.invoke(app, [*command, "--config", str(config)])
        assert result.exit_code == 1, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith("error: migration 004_trends.sql was edited after this lake")
        assert str(trends) in line
