"""Crash safety: `sinorus run` killed with SIGKILL at random points, again and again.

After every kill: the warehouse opens and every invariant holds (no URL twice, no half batch,
no story without its keyword rows, no feed validator saved ahead of its entries), and no
process the run started outlives it. The next run marks the dead one `crashed`; a final run
completes, and the lake then holds exactly what a clean run stores.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import load_settings
from devtools.newsroom_server import Newsroom
from tasks.keywords import count_keywords
from tests.conftest import NEWSROOM_FEEDS, rows, write_config
from tests.test_concurrency import assert_invariants
from warehouse import WarehouseMissing

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261130
LAKES, KILLS_PER_LAKE = 4, 5  # 20 kills
OWN_SERVER_TRIALS = 2  # of them, runs that start (and must take down) their own Prefect server


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:100]
    except OSError:
        return f"{pid}: (gone)"


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _config(tmp: Path, base: str, name: str) -> Path:
    path = write_config(tmp / f"{name}.toml", base, tmp / f"{name}.sqlite")
    text = path.read_text(encoding="utf-8").replace(
        "[fetch]\n", "[fetch]\nbatch_size = 2\nper_host_delay_seconds = 0.1\n", 1
    )
    path.write_text(text + "\n[extract]\nworkers = 2\n", encoding="utf-8")
    return path


def _run(config: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sinorus.cli",
            "run",
            "--all-feeds",
            "--config",
            str(config),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _runs(db: Path) -> int:
    try:
        return rows(db, "select count(*) from runs")[0][0]
    except Exception:  # noqa: BLE001 - the lake may not exist yet
        return 0


def _wait_for_running(db: Path, process: subprocess.Popen, before: int, seconds: float) -> None:
    """Return once the run has written its row (or stopped, or time is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None and _runs(db) <= before:
        time.sleep(0.1)


def _stored(db: Path) -> set[str]:
    return {
        url for (url,) in rows(db, "select canonical_url from articles where origin = 'monitor'")
    }


def assert_whole(db: Path, newsroom: Newsroom, expected: dict) -> None:
    """The invariants a kill must never break."""
    if not db.exists():
        return  # killed before the lake was made: nothing to break
    try:
        rows(db, "select 1")
    except WarehouseMissing:
        return  # killed while it made the lake: the next run makes it (the final run checks)
    except Exception as exc:  # noqa: BLE001 - a lake that does not open is the failure itself
        pytest.fail(f"the lake does not open after a kill: {exc}")
    assert_invariants(db)
    keywords = load_settings().keywords
    stored = {
        url: dict(
            rows(
                db, "select keyword, mentions from keyword_mentions where canonical_url = ?", [url]
            )
        )
        for (url,) in rows(db, "select canonical_url from stories")
    }
    for url, title, text in rows(db, "select canonical_url, title, text from stories"):
        assert stored[url] == count_keywords(title, text, keywords), (
            url
        )  # no story without its rows
    # A feed's validators are saved only after its entries: every page of a feed that has them
    # is stored or recorded as failed.
    done = _stored(db) | {u for (u,) in rows(db, "select canonical_url from page_failures")}
    saved = {u for (u,) in rows(db, "select url from feeds where body_hash is not null")}
    for page in expected["page"]:
        feeds = {f"{newsroom.base_url}{path}" for path in page.get("feeds", [])}
        if feeds & saved:
            assert f"{newsroom.base_url}{page['path']}" in done, page["path"]


def test_kill_9_at_random_points_never_breaks_the_lake_nor_leaves_a_process(
    prefect_harness, newsroom: Newsroom, expected: dict, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    shared = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    own = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    clean_config = _config(tmp_path, newsroom.base_url, "clean")
    started = time.monotonic()
    clean = _run(clean_config, shared)
    assert clean.wait(timeout=300) == 0
    took = time.monotonic() - started  # kills land anywhere in a run this long
    clean_urls = _stored(tmp_path / "clean.sqlite")
    assert clean_urls

    rng = random.Random(SEED)
    trials, orphans, own_server, crashed = 0, [], 0, 0
    for lake in range(LAKES):
        config = _config(tmp_path, newsroom.base_url, f"lake{lake}")
        db = tmp_path / f"lake{lake}.sqlite"
        for _ in range(KILLS_PER_LAKE):
            use_own = own_server < OWN_SERVER_TRIALS and rng.random() < 0.2
            own_server += use_own
            before = _runs(db)
            process = _run(config, own if use_own else shared)
            if rng.random() < 0.5:  # anywhere: start-up, seeds, feeds, batches ...
                # a run with its own server spends ~12 s starting it first
                time.sleep(rng.uniform(0.1, 1.0) * took + (12.0 if use_own else 0.0))
            else:  # ... or once its run row is written: among the batches
                _wait_for_running(db, process, before, 60)
                time.sleep(rng.uniform(0.0, 4.0))
            family = _descendants(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            trials += 1
            deadline = time.monotonic() + 20  # a worker still importing exits once it can
            while _alive(family) and time.monotonic() < deadline:
                time.sleep(0.2)
            orphans += [_cmdline(pid) for pid in sorted(_alive(family))]
            assert_whole(db, newsroom, expected)
        final = _run(config, shared)
        assert final.wait(timeout=300) == 0
        assert _stored(db) == clean_urls
        assert rows(db, "select count(*) from runs where status = 'running'") == [(0,)]
        found = rows(db, "select error from runs where status = 'crashed'")
        assert all("was gone at" in error for (error,) in found)
        crashed += len(found)
    print(
        f"\n{trials} kills in runs of ~{took:.0f} s ({own_server} with their own Prefect server);"
        f" {crashed} killed after their run row was written, each then marked crashed;"
        f" orphans: {orphans}"
    )
    assert trials >= 20 and orphans == []
    assert crashed >= trials // 4  # most kills land in the run itself, not its start-up
    for name in NEWSROOM_FEEDS:
        assert any(name in url for (url,) in rows(db, "select url from feeds"))
