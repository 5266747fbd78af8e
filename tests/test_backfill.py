"""Backfill end to end: the real flow, over HTTP to the sample newsroom, into real lakes.

What each source should list and what each page should become is read from
newsroom/backfill.toml, so a new case is a new page or listing there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from datetime import date
from pathlib import Path

import duckdb
import pytest
import zstandard

from devtools.newsroom_server import Newsroom, load_backfill, url_list
from tests.conftest import NEWSROOM_FEEDS, rows
from warehouse import Lake, WarehouseMissing, writer

ROOT = Path(__file__).resolve().parent.parent
SINCE, UNTIL = date(2023, 3, 1), date(2023, 3, 31)
# What a page's `expect` becomes as a queue status.
STATUS = {
    "stored": "stored",
    "irrelevant": "irrelevant",
    "duplicate": "duplicate",
    "known": "known",
    "out_of_window": "out_of_window",
    "undated": "undated",
    "dead": "failed",
}


@pytest.fixture(scope="module")
def plan() -> dict:
    return load_backfill()


def _config(tmp: Path, base: str, feeds: list[str], extra: str = "") -> Path:
    feed_tables = "\n".join(f'[[feeds]]\nname = "{f}"\nurl = "{base}/feeds/{f}"\n' for f in feeds)
    path = tmp / f"backfill-{len(list(tmp.glob('*.toml')))}.toml"
    path.write_text(
        f'[warehouse]\ncatalog = "{tmp / "warehouse.sqlite"}"\ncommit_limit = false\n'
        "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 5.0\nper_host_delay_seconds = 0.0\n"
        "per_host_concurrency = 8\n"
        f'[backfill.gdelt]\nbase_url = "{base}/gdelt/api/v2/doc/doc"\nrequest_interval_seconds = 0.0\n'
        f"{extra}\n{feed_tables}",
        encoding="utf-8",
    )
    return path


def _rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    return rows(db, query, params)


def _queue(db: Path, job_id: str, base: str) -> dict[str, tuple[str, str | None]]:
    rows = _rows(
        db, "select canonical_url, status, reason from backfill_queue where job_id = ?", [job_id]
    )
    return {url.removeprefix(base): (status, reason) for url, status, reason in rows}


def _listing(plan: dict, source: str) -> tuple[set[str], set[str]]:
    paths, outside = set(), set()
    for listing in plan["listing"]:
        if listing["source"] == source:
            paths |= set(listing["paths"])
            outside |= set(listing.get("outside", []))
    return paths, outside


@pytest.fixture
def monitored(prefect_harness, newsroom: Newsroom, tmp_path: Path) -> dict:
    """A warehouse where the monitor has read the newsroom's four feeds first."""
    from flows.monitor import monitor

    monitor(str(_config(tmp_path, newsroom.base_url, NEWSROOM_FEEDS)), None)
    return {"tmp": tmp_path, "db": tmp_path / "warehouse.sqlite"}


SOURCES = {
    "feeds": {"feeds": ["archive.atom", "wp.rss"]},
    "sitemaps": {"feeds": ["world.rss"]},  # the newsroom's site root: robots.txt, sitemaps
    "gdelt": {"feeds": ["world.rss"]},
    "urls": {"feeds": ["world.rss"], "file": "urls.txt"},
    "urls-csv": {"feeds": ["world.rss"], "file": "urls.csv"},
}


def _run(
    newsroom: Newsroom, tmp: Path, name: str, extra: str = "", undated: str | None = None
) -> dict:
    from flows.backfill import backfill

    spec = SOURCES[name]
    config = _config(tmp, newsroom.base_url, spec["feeds"], extra)
    urls_file = None
    if "file" in spec:
        urls_file = tmp / spec["file"]
        urls_file.write_text(url_list(spec["file"], newsroom.base_url), encoding="utf-8")
    source = name.split("-")[0]
    return backfill(
        SINCE,
        UNTIL,
        source=source,
        urls_file=str(urls_file) if urls_file else None,
        undated=undated,
        config_path=str(config),
    )


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_source_lists_the_window_and_every_page_lands_as_expected(
    name: str, monitored: dict, newsroom: Newsroom, plan: dict
) -> None:
    summary = _run(newsroom, monitored["tmp"], name)
    assert summary["status"] == "completed"
    queue = _queue(monitored["db"], summary["backfill"]["job_id"], newsroom.base_url)
    source = name.split("-")[0]
    listed, outside = _listing(plan, source)
    if source == "urls":  # the txt and csv lists differ: take the file's own listing
        listing = next(
            x for x in plan["listing"] if x.get("file", "").endswith(SOURCES[name]["file"])
        )
        listed = set(listing["paths"])
    assert set(queue) == listed
    assert not (set(queue) & outside)
    pages = {p["path"]: p for p in plan["page"]}
    for path, (status, reason) in queue.items():
        page = pages.get(path)
        if page is None:  # a page of the monitor's newsroom: already stored, or off the window
            assert status in ("known", "out_of_window"), (path, status)
            continue
        assert status == STATUS[page["expect"]], (path, status, reason)
        if page["expect"] == "dead":
            assert reason == "lasting: HTTP 404"


def test_stored_backfill_articles_carry_their_origin_and_dates(
    monitored: dict, newsroom: Newsroom, plan: dict
) -> None:
    _run(newsroom, monitored["tmp"], "feeds")
    for page in (p for p in plan["page"] if p["expect"] == "stored" and "feeds" in p["listed_in"]):
        rows = _rows(
            monitored["db"],
            "select origin, cast(published_at as date)::varchar, date_source "
            "from articles where canonical_url = ?",
            [newsroom.base_url + page["path"]],
        )
        assert rows, page["path"]
        origin, published, date_source = rows[0]
        assert origin == "backfill"
        assert published == page["published"], page["path"]
        assert date_source == ("page" if page["date_from"] == "page" else "feed"), page["path"]


def test_archives_are_followed_until_the_window_starts(
    monitored: dict, newsroom: Newsroom, plan: dict
) -> None:
    newsroom.clear_requests()
    _run(newsroom, monitored["tmp"], "feeds")
    for listing in (x for x in plan["listing"] if x["source"] == "feeds"):
        for document in listing["documents"]:
            path, _, query = document.partition("?")
            assert any(
                r.endswith(document) or (query and query in r) for r in newsroom.requested(path)
            ), document
        for document in listing.get("never_requested", []):
            path, _, query = document.partition("?")
            assert not [r for r in newsroom.requested(path) if not query or query in r], document


def test_gdelt_slices_a_full_answer_and_is_paced(
    monitored: dict, newsroom: Newsroom, plan: dict
) -> None:
    newsroom.clear_requests()
    summary = _run(newsroom, monitored["tmp"], "gdelt", extra="max_records = 10\n")
    queue = _queue(monitored["db"], summary["backfill"]["job_id"], newsroom.base_url)
    listed, _ = _listing(plan, "gdelt")
    assert set(queue) == listed  # the 12 articles of 2023-03-21 did not hide behind the cap of 10
    calls = newsroom.requested("/gdelt/api/v2/doc/doc")
    assert len(calls) > 31  # 31 daily slices, and the busy day cut finer


def test_gdelt_html_answer_is_an_error_not_an_empty_window(
    monitored: dict, newsroom: Newsroom
) -> None:
    newsroom.clear_requests()
    summary = _run(newsroom, monitored["tmp"], "gdelt", extra='query = "badquery China Russia"\n')
    assert summary["backfill"]["queue"] == {}
    assert any("not JSON" in note for note in summary["backfill"]["notes"])
    assert len(newsroom.requested("/gdelt/api/v2/doc/doc")) == 1  # it stops at the first


@pytest.mark.parametrize("source", ["gdelt", "sitemaps"])
def test_the_no_date_policy_is_applied_and_reported(
    source: str, monitored: dict, newsroom: Newsroom, plan: dict
) -> None:
    undated_pages = [
        p for p in plan["page"] if p["expect"] == "undated" and source in p["listed_in"]
    ]
    assert undated_pages
    dropped = _run(newsroom, monitored["tmp"], source, undated="drop")
    assert dropped["backfill"]["undated_policy"] == "drop"
    queue = _queue(monitored["db"], dropped["backfill"]["job_id"], newsroom.base_url)
    assert all(queue[p["path"]][0] == "undated" for p in undated_pages)
    kept = _run(newsroom, monitored["tmp"], source, undated="sighting")
    assert kept["backfill"]["undated_policy"] == "sighting"
    queue = _queue(monitored["db"], kept["backfill"]["job_id"], newsroom.base_url)
    for page in undated_pages:
        assert queue[page["path"]][0] == STATUS[page["sighting"][source]], page["path"]


def test_backfill_then_monitor_and_again_stores_each_article_once(
    prefect_harness, newsroom: Newsroom, tmp_path: Path
) -> None:
    from flows.monitor import monitor

    first = _run(newsroom, tmp_path, "sitemaps")
    db = tmp_path / "warehouse.sqlite"
    assert first["stored"] > 0
    again = _run(newsroom, tmp_path, "sitemaps")
    assert again["backfill"]["resumed"] and again["pages_fetched"] == 0
    after = monitor(str(_config(tmp_path, newsroom.base_url, NEWSROOM_FEEDS)), None)
    known = {
        u for (u,) in _rows(db, "select canonical_url from articles where origin = 'backfill'")
    }
    assert after["status"] == "completed"
    assert not {p["url"] for p in after["stored_articles"]} & known  # not fetched or stored again
    assert _rows(db, "select count(*) = count(distinct canonical_url) from articles") == [(True,)]


def test_replay_html_re_extracts_the_window_without_fetching(
    monitored: dict, newsroom: Newsroom
) -> None:
    from flows.replay import replay

    _run(newsroom, monitored["tmp"], "feeds")
    db = monitored["db"]
    before = _rows(db, "select count(*) from articles")[0][0]
    kept = _rows(
        db,
        "select count(*) from raw_pages join articles using (canonical_url) "
        "where cast(coalesce(published_at, articles.fetched_at) as date) between ? and ?",
        [SINCE, UNTIL],
    )[0][0]
    assert kept > 0
    # New pages are kept zstd-compressed; half of them are turned back into the zlib copies a lake
    # made before migration 008 holds, which replay must read as well.
    assert _rows(db, "select count(*) from raw_pages where html_zstd is null") == [(0,)]
    kept_pages = _rows(db, "select canonical_url, html_zstd from raw_pages order by 1")
    older = kept_pages[::2]
    with writer(Lake.at(str(db)), "as before 008") as con:
        for url, packed in older:
            html = zstandard.ZstdDecompressor().decompress(packed)
            con.execute(
                "update raw_pages set html_zlib = ?, html_zstd = null where canonical_url = ?",
                [zlib.compress(html), url],
            )
    assert len(older) > 1
    assert _rows(db, "select count(*) from raw_pages where html_zstd is null") == [(len(older),)]
    newsroom.clear_requests()
    config = _config(monitored["tmp"], newsroom.base_url, ["archive.atom"], extra="")
    texts = dict(_rows(db, "select canonical_url, text from articles"))
    summary = replay("html", SINCE, UNTIL, config_path=str(config))
    assert summary["status"] == "completed"
    assert summary["replay"]["articles"] + summary["replay"]["failed"] == kept
    assert summary["replay"]["articles"] > 0
    assert newsroom.requests == []  # nothing fetched
    assert _rows(db, "select count(*) from articles")[0][0] == before
    assert dict(_rows(db, "select canonical_url, text from articles")) == texts  # same extractor


def test_an_interrupted_backfill_resumes_and_finishes(
    prefect_harness, newsroom: Newsroom, tmp_path: Path, plan: dict
) -> None:
    config = _config(tmp_path, newsroom.base_url, ["archive.atom", "wp.rss"])
    # one page per batch, slowly, so the kill lands midway
    text = config.read_text(encoding="utf-8").replace(
        "per_host_delay_seconds = 0.0", "per_host_delay_seconds = 0.7\nbatch_size = 1"
    )
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "warehouse.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sinorus.cli",
            "backfill",
            "--since",
            "2023-03-01",
            "--until",
            "2023-03-31",
            "--config",
            str(config),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def done() -> int:
        try:
            return _rows(db, "select count(*) from backfill_queue where status <> 'pending'")[0][0]
        except (WarehouseMissing, duckdb.CatalogException):  # not created yet
            return 0

    deadline = time.monotonic() + 180
    while done() < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = done()
    pending = _rows(db, "select count(*) from backfill_queue where status = 'pending'")[0][0]
    assert interrupted >= 3 and pending > 0, (interrupted, pending)

    from flows.backfill import backfill

    summary = backfill(SINCE, UNTIL, source="feeds", config_path=str(config))
    assert summary["backfill"]["resumed"]
    assert summary["new_urls"] == pending  # only what was left
    assert _rows(db, "select count(*) from backfill_queue where status = 'pending'")[0][0] == 0
    listed, _ = _listing(plan, "feeds")
    assert {
        u.removeprefix(newsroom.base_url)
        for (u,) in _rows(db, "select canonical_url from backfill_queue")
    } == listed
    assert _rows(db, "select count(*) = count(distinct canonical_url) from articles")[0][0]
