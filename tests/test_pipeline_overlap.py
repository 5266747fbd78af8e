"""The overlapped batch pipeline (tasks/pipeline.py, over tasks/overlap.py).

Over the sample newsroom on HTTP, in small batches: the overlapped stages leave the same
warehouse as one batch after another (and so does the real monitor flow); a batch whose stage or
commit fails leaves the others committed. On plain functions: the stages really overlap, at most a
few batches are in flight whatever the run's length, commits keep their order, and the deadline
stops taking batches.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings, load_settings
from devtools.newsroom_server import Newsroom
from tasks.clock import ManualClock
from tasks.extract import extract_pages
from tasks.feeds import read_feed
from tasks.load import Loaded
from tasks.location import lake_of
from tasks.overlap import run_stages
from tasks.pipeline import Batch, Stages, run_batches
from tasks.plan import plan_candidates
from tasks.records import Candidate
from tasks.seeds import load_seeds
from tasks.sinks import Store
from tasks.summary import RunSummary
from tasks.urls import batches
from tests.conftest import rows, write_config
from warehouse import Lake

BATCH = 3  # the newsroom's 16 pages make 6 batches

# Each table the pipeline writes, minus what differs between two runs of the same input.
CONTENTS = {
    "articles": "select * exclude (fetched_at, run_id) from articles order by canonical_url",
    "keyword_mentions": "select * from keyword_mentions order by all",
    "story_terms": "select * from story_terms order by all",
    "dedup_keys": "select * from dedup_keys order by all",
    "page_failures": "select * exclude (first_failed_at, last_failed_at, retry_after) "
    "from page_failures order by canonical_url",
}


def contents(lake: Lake) -> dict[str, list[tuple]]:
    """Return every table the pipeline writes, as comparable rows."""
    return {table: rows(lake, query) for table, query in CONTENTS.items()}


def newsroom_settings(tmp: Path, newsroom: Newsroom) -> Settings:
    """Return settings reading the newsroom in batches of BATCH into a fresh lake under tmp."""
    config = write_config(
        tmp / "sinorus.toml", newsroom.base_url, tmp / "w.sqlite", extra=f"batch_size = {BATCH}"
    )
    return load_settings(config)


def plan(lake: Lake, settings: Settings) -> list[Candidate]:
    """Return the monitor's URLs to fetch from the newsroom's feeds (a fresh lake: all of them)."""
    feeds = [read_feed(feed, {}, settings.fetch) for feed in settings.feeds]
    return plan_candidates(lake, feeds, "monitor", settings.fetch.max_new_per_feed).candidates


@dataclass(frozen=True)
class FailingStore(Store):
    """The monitor's sink, whose commit of the batch holding `url` fails."""

    url: str | None = None

    def commit(self, batch: Batch, settings: Settings) -> Loaded:
        urls = {a.article.candidate.canonical_url for a in batch.judged}
        urls |= {f.candidate.canonical_url for f in batch.failures}
        if self.url in urls:
            raise RuntimeError("the catalog went away")
        return super().commit(batch, settings)


class Told(list):
    """The progress told: URLs finished, batch by batch."""

    def advance(self, step: int) -> None:
        self.append(step)


def run_plain(
    tmp: Path,
    newsroom: Newsroom,
    depth: int,
    fail_commit_of: str | None = None,
    stages: Stages = Stages(),  # noqa: B008
) -> dict:
    """Return the lake, the batches, what was left, the progress told and the summary of a
    plain-function monitor pass over the newsroom (seed baseline first, as the flow does)."""
    settings = newsroom_settings(tmp, newsroom)
    lake = lake_of(settings)
    load_seeds(lake, settings)
    todo = batches(plan(lake, settings), BATCH)
    done, summary = Told(), RunSummary(run_id="run", flow="monitor")
    sink = FailingStore(lake, "run", url=fail_commit_of)
    left = run_batches(todo, sink, settings, summary, stages=stages, progress=done, depth=depth)
    return {"lake": lake, "batches": todo, "left": left, "done": done, "summary": summary}


@pytest.fixture(scope="module")
def sequential(newsroom: Newsroom, tmp_path_factory) -> dict:
    """One batch after another (depth 0), in the caller's thread: the reference."""
    return run_plain(tmp_path_factory.mktemp("sequential"), newsroom, depth=0)


def test_sequential_reference_matches_the_newsroom(sequential: dict, expected: dict) -> None:
    """The reference is worth comparing with: several batches, every kind of outcome."""
    lake = sequential["lake"]
    pages = expected["page"]
    assert len(sequential["batches"]) > 3
    assert sequential["left"] == []
    assert sequential["done"] == [len(b) for b in sequential["batches"]]
    (duplicates,) = rows(lake, "select count(*) from articles where duplicate_of is not null")[0]
    assert duplicates == sum(p["expect"] == "duplicate" for p in pages)
    (failed,) = rows(lake, "select count(*) from page_failures")[0]
    assert failed == sum(p["expect"] == "dead" for p in pages)
    assert all(rows(lake, f"select count(*) from {t}")[0][0] for t in CONTENTS)


@pytest.mark.parametrize("depth", [1, 3])
def test_overlapped_run_leaves_the_same_warehouse(
    sequential: dict, newsroom: Newsroom, tmp_path: Path, depth: int
) -> None:
    overlapped = run_plain(tmp_path, newsroom, depth=depth)
    assert overlapped["left"] == []
    assert overlapped["done"] == sequential["done"]  # progress per batch, in order
    assert contents(overlapped["lake"]) == contents(sequential["lake"])


def test_monitor_flow_leaves_the_same_warehouse(
    prefect_harness, sequential: dict, newsroom: Newsroom, tmp_path: Path
) -> None:
    """The real flow: stages as Prefect tasks called from the pipeline's threads."""
    from flows.monitor import monitor

    settings = newsroom_settings(tmp_path, newsroom)
    summary = monitor(str(tmp_path / "sinorus.toml"), None)
    assert summary["status"] == "completed"
    assert summary["left_urls"] == 0
    assert contents(lake_of(settings)) == contents(sequential["lake"])


def _stored(lake: Lake) -> set[str]:
    return {url for (url,) in rows(lake, "select canonical_url from articles")}


def _failing_extract(url: str) -> Stages:
    def extract(pages, extract_settings):
        if any(p.candidate.canonical_url == url for p in pages):
            raise RuntimeError("the pool broke")
        return extract_pages(pages, extract_settings)

    return Stages(extract=extract)


@pytest.mark.parametrize("stage", ["extract", "commit"])
def test_a_failed_batch_leaves_the_others_committed(
    sequential: dict, newsroom: Newsroom, tmp_path: Path, stage: str
) -> None:
    bad = sequential["batches"][1]  # a batch with a stored page
    url = next(c.canonical_url for c in bad if c.canonical_url in _stored(sequential["lake"]))
    if stage == "commit":
        run = run_plain(tmp_path, newsroom, depth=1, fail_commit_of=url)
    else:
        run = run_plain(tmp_path, newsroom, depth=1, stages=_failing_extract(url))
    bad_urls = {c.canonical_url for c in bad}
    assert run["left"] == bad  # the next run's to do
    assert run["done"] == sequential["done"]  # the failed batch finished too, for progress
    assert [b["urls"] for b in run["summary"].failed_batches] == [len(bad)]
    assert run["summary"].batches_committed == len(sequential["batches"]) - 1
    assert _stored(run["lake"]) == _stored(sequential["lake"]) - bad_urls
    failures = "select canonical_url from page_failures"
    assert rows(run["lake"], failures) == [
        r for r in rows(sequential["lake"], failures) if r[0] not in bad_urls
    ]


# ---- the stage runner on plain functions ----


def test_stages_overlap_across_batches() -> None:
    """Batch 0 is committed only once batch 1 is being judged and batch 2 extracted, with
    batch 3 fetched: if the stages ran one batch after another this would wait in vain."""
    started = {(stage, n): threading.Event() for stage in range(3) for n in range(6)}

    def stage(index: int):
        def run(n: int) -> int:
            started[index, n].set()
            return n

        return run

    seen: dict[int, bool] = {}

    def finish(n: int) -> None:
        if n == 0:
            seen[0] = all(started[key].wait(5) for key in [(2, 1), (1, 2), (0, 3)])

    untaken, failed = run_stages(range(6), [stage(0), stage(1), stage(2)], finish, depth=1)
    assert (untaken, failed, seen) == ([], [], {0: True})


def test_sequential_mode_does_not_overlap() -> None:
    """The same check with depth 0 finds nothing in flight: the check above can fail."""
    started = threading.Event()

    def fetch(n: int) -> int:
        if n == 1:
            started.set()
        return n

    seen = []
    run_stages(range(3), [fetch], lambda n: seen.append(started.wait(0.2)), depth=0)
    assert seen == [False, True, True]


@pytest.mark.parametrize("depth", [1, 2])
def test_batches_in_flight_stay_bounded_and_commits_keep_order(depth: int) -> None:
    """The first stage is fast and the last slow: without bounded queues it would run ahead
    through all 60 batches, holding them all."""
    lock = threading.Lock()
    live, peak = 0, 0

    def fetch(n: int) -> int:
        nonlocal live, peak
        with lock:
            live += 1
            peak = max(peak, live)
        return n

    def judge(n: int) -> int:
        time.sleep(0.002 * (n % 3))  # uneven: a later batch can be ready first
        return n

    finished = []

    def finish(n: int) -> None:
        nonlocal live
        time.sleep(0.003)
        finished.append(n)
        with lock:
            live -= 1

    run_stages(range(60), [fetch, judge, judge], finish, depth=depth)
    assert finished == list(range(60))
    stages = 3
    assert peak <= stages * (1 + depth) + 1  # each thread's batch, each queue's, the commit's


def test_a_failing_stage_fails_its_batch_only() -> None:
    def fetch(n: int) -> int:
        if n == 3:
            raise ValueError("bad batch")
        return n

    finished, errors = [], []
    untaken, failed = run_stages(
        range(6),
        [fetch, lambda n: n],
        finished.append,
        on_error=lambda batch, error: errors.append((batch, str(error))),
    )
    assert finished == [0, 1, 2, 4, 5]
    assert (untaken, failed, errors) == ([], [3], [(3, "bad batch")])


@pytest.mark.parametrize("depth", [0, 1])
def test_the_deadline_stops_taking_batches(depth: int) -> None:
    """Batch 1 is fetched across the deadline: batches 2 on are left, 0 and 1 committed."""
    clock = ManualClock()
    deadline = clock.monotonic() + 300

    def fetch(n: int) -> int:
        clock.advance(299.9 if n == 0 else 0.2)  # batch 0 ends just before it, batch 1 after
        return n

    finished = []
    untaken, failed = run_stages(
        range(6),
        [fetch, lambda n: n],
        finished.append,
        depth=depth,
        deadline=deadline,
        clock=clock,
    )
    assert (finished, untaken, failed) == ([0, 1], [2, 3, 4, 5], [])


def test_a_past_deadline_takes_nothing() -> None:
    calls, clock = [], ManualClock()
    clock.advance(1)
    untaken, _ = run_stages([[1], [2]], [calls.append], calls.append, deadline=0.5, clock=clock)
    assert (untaken, calls) == ([[1], [2]], [])
