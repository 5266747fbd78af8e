"""Crash safety: `sinorus run` killed with SIGKILL at every stage of a run, again and again.

After every kill: the warehouse opens and every invariant holds (no URL twice, no half batch,
no story without its keyword rows, no feed validator saved ahead of its entries), and no
process the run started outlives it. The next run marks the dead one `crashed`; a final run
completes, and the lake then holds exactly what a clean run stores.
"""

from __future__ import annotations

import os
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
# Where each run is killed, lake by lake (a test each; then a final run completes on each): 20
# kills, every stage of a run. "own server": a run that starts (and must take down) its own Prefect server,
# killed once that server is starting; "commit n": holding the writer lock for the n-th time
# after its run row was written (a batch, the feeds' validators or the run's end half-written).
PLAN = [
    ["making the lake", "start-up", "run row", "commit 1", "commit 2"],
    ["start-up", "own server", "commit 1", "commit 2", "commit 3"],
    ["run row", "commit 3", "start-up", "commit 1", "own server, run row"],
    ["commit 2", "run row", "commit 1", "start-up", "commit 4"],
]
OWN_SERVER = {"own server", "own server, run row"}
BEFORE_THE_RUN_ROW = {"making the lake", "start-up", "own server"}


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


def _lock_held(db: Path) -> bool:
    """Return True if a writer holds the lake's lock file (warehouse/lock.py) right now."""
    try:
        inode = os.stat(f"{db}.lock").st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
            return True
    return False


def _has_server(pid: int) -> bool:
    """Return True if the process has started its own Prefect server (a uvicorn child)."""
    return any("uvicorn" in _cmdline(child) for child in _descendants(pid))


def _wait_for(point: str, db: Path, process: subprocess.Popen, before: int) -> bool:
    """Return True once the run has reached `point` (False: it ended first, or took 300 s).

    Each point is an event seen from outside the run, polled for, so that every kill lands
    where it was meant to whatever the machine's speed.
    """
    commits = int(point.removeprefix("commit ")) if point.startswith("commit ") else 0
    needs_row = bool(commits) or point.endswith("run row")
    row, held, deadline = False, False, time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if point == "start-up":  # importing, reading its config
            return True
        if point == "own server" and _has_server(process.pid):
            return True
        if point == "making the lake" and _lock_held(db):  # migrations, views, seeds
            return True
        if needs_row:
            row = row or _runs(db) > before
            if row and not commits:
                return True
            if row:  # the n-th write since: a batch, the feeds or the run's end half-written
                now_held = _lock_held(db)
                commits -= now_held and not held
                held = now_held
                if commits == 0:
                    return True
                time.sleep(0.005)  # a commit holds the lock for a tenth of a second or more
                continue
        time.sleep(0.02)
    return False


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


@pytest.mark.parametrize("plan", PLAN, ids=[f"lake{i}" for i in range(len(PLAN))])
def test_kill_9_at_every_stage_never_breaks_the_lake_nor_leaves_a_process(
    prefect_harness, newsroom: Newsroom, expected: dict, tmp_path: Path, plan: list[str]
) -> None:
    from prefect.settings import PREFECT_API_URL

    shared = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    # A run with its own Prefect server: a server database of its own, too (as on a new machine).
    own = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    own["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    config = _config(tmp_path, newsroom.base_url, "lake")
    db = tmp_path / "lake.sqlite"
    landed, orphans = [], []
    for point in plan:
        before = _runs(db)
        process = _run(config, own if point in OWN_SERVER else shared)
        reached = _wait_for(point, db, process, before)
        family = _descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        # Killed, not done: a run that ended before its point was reached is a kill missed.
        assert process.wait() == -signal.SIGKILL and reached, (point, landed)
        landed.append(point)
        deadline = time.monotonic() + 20  # a worker still importing exits once it can
        while _alive(family) and time.monotonic() < deadline:
            time.sleep(0.2)
        orphans += [_cmdline(pid) for pid in sorted(_alive(family))]
        assert_whole(db, newsroom, expected)
    print(f"\nkilled at {landed}; orphans: {orphans}")
    assert orphans == []

    final = _run(config, shared)
    assert final.wait(timeout=300) == 0
    # Exactly what a clean run stores: every page but the dead one, relevant or not, copy or not
    # (newsroom/expected.toml lists the pages by canonical path).
    kept = {"stored", "irrelevant", "duplicate"}
    assert _stored(db) == {
        f"{newsroom.base_url}{p['path']}" for p in expected["page"] if p["expect"] in kept
    }
    assert rows(db, "select count(*) from runs where status = 'running'") == [(0,)]
    # Every run killed once its row was written is found dead and marked crashed; no other is.
    crashed = rows(db, "select error from runs where status = 'crashed'")
    assert all("was gone at" in error for (error,) in crashed)
    assert len(crashed) == sum(1 for point in plan if point not in BEFORE_THE_RUN_ROW)
    for name in NEWSROOM_FEEDS:
        assert any(name in url for (url,) in rows(db, "select url from feeds"))


def test_the_plan_kills_at_every_stage() -> None:
    stages = {point.removeprefix("own server, ") for plan in PLAN for point in plan}
    commits = {p for p in stages if p.startswith("commit ")}
    assert stages - commits == {"making the lake", "start-up", "own server", "run row"}
    assert len(commits) >= 3 and sum(map(len, PLAN)) == 20
