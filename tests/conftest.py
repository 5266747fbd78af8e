"""Shared fixtures: the sample newsroom on 127.0.0.1, settings pointed at it, a fresh warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.runtime import PROJECT_ROOT

# Under pytest-xdist (`make test`) each worker keeps its Prefect state apart: a run that starts
# its own temporary server uses the worker's database, never one another worker's run migrates
# or writes at the same time. Set before anything imports Prefect.
if os.environ.get("PYTEST_XDIST_WORKER"):
    _home = PROJECT_ROOT / ".prefect" / "workers" / os.environ["PYTEST_XDIST_WORKER"]
    _home.mkdir(parents=True, exist_ok=True)  # a server cannot make its database's folder
    os.environ["PREFECT_HOME"] = str(_home)

import tasks  # noqa: F401  (Prefect's environment before anything imports prefect)
from config import Settings, load_settings
from devtools.newsroom_server import Newsroom, load_expected
from warehouse import Lake, reader

NEWSROOM_FEEDS = ["world.rss", "asia.atom", "analysis.rdf", "broken.xml"]
# The tags the test configs give the newsroom's feeds (as config/demo.toml does).
NEWSROOM_COLLECTIONS = {
    "world.rss": ("western",),
    "asia.atom": ("asia",),
    "analysis.rdf": ("western", "independent"),
    "broken.xml": ("asia",),
}


@pytest.fixture(scope="session")
def newsroom() -> Iterator[Newsroom]:
    """The sample newsroom, served on a free port for the whole session."""
    with Newsroom(port=0) as server:
        yield server


@pytest.fixture(scope="session")
def expected() -> dict:
    """newsroom/expected.toml: what the pipeline should make of the sample newsroom."""
    return load_expected()


def write_config(
    path: Path, base_url: str, db: Path, extra: str = "", commit_limit: bool = False
) -> Path:
    """Return `path` after writing a config that reads the newsroom's feeds into `db`."""
    feeds = "\n".join(
        f'[[feeds]]\nname = "Newsroom {name}"\nurl = "{base_url}/feeds/{name}"\n'
        f'country = "GB"\ncollections = {list(NEWSROOM_COLLECTIONS[name])}\n'.replace("'", '"')
        for name in NEWSROOM_FEEDS
    )
    path.write_text(
        # The commit limit costs ~2 s an acquisition on the test server: the tests that are
        # about it turn it on.
        f'[warehouse]\ncatalog = "{db}"\ncommit_limit = {str(commit_limit).lower()}\n\n'
        # The HTML report after each run costs 1-4 s CPU (charts): only the tests about it
        # (tests/test_artifacts.py) ask for one, with a [report] table of their own.
        + ("" if "[report]" in extra else '[report]\npath = ""\n\n')
        # `extra` follows [fetch]: its bare keys (batch_size = 2) are [fetch]'s.
        + "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 5.0\n\n"
        + f"{extra}\n{feeds}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_file(tmp_path: Path, newsroom: Newsroom) -> Path:
    """A config file reading the newsroom's feeds into a fresh warehouse under tmp_path."""
    return write_config(tmp_path / "sinorus.toml", newsroom.base_url, tmp_path / "warehouse.sqlite")


def rows(lake: Lake | Path | str, query: str, params: list | dict | None = None) -> list[tuple]:
    """Return the rows of a read-only query on a lake (or the SQLite catalog file of one)."""
    with reader(lake if isinstance(lake, Lake) else Lake.at(str(lake))) as con:
        return con.execute(query, params or []).fetchall()


@pytest.fixture
def settings(config_file: Path) -> Settings:
    """Validated settings for the newsroom and a fresh warehouse."""
    return load_settings(config_file)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for the tests that run real flows (started once: ~20 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


# `make test` runs the suite on pytest-xdist workers with `--dist loadgroup`: a test goes to any
# worker, but those of a group go, in order, to one. A module whose tests share an expensive
# module fixture (a monitor run, a browser, an evaluation) is a group, or each worker would build
# it again; the PostgreSQL clusters with their work pools are one group, never two at once on a
# 2-core machine.
ONE_WORKER = {
    "test_charts": "charts",
    "test_cli": "cli",
    "test_eval": "eval",
    "test_export": "export",
    "test_pipeline": "pipeline",
    "test_pipeline_overlap": "pipeline_overlap",
    "test_report": "report",
    "test_postgres": "postgres",
    "test_backfill_pool": "postgres",
    "test_checks": "checks",
    "test_events": "events",
    "test_event_pipeline": "event_pipeline",
}


# The modules whose tests take the longest (real runs in subprocesses, killed and resumed), given
# out first: a worker that draws one last would keep the others waiting at the end.
SLOW_FIRST = (
    "test_crash",
    "test_concurrency",
    "test_bounded_runs",
    "test_feed_schedule",
    "test_backfill",
    "test_serve",
    "test_artifacts",
    "test_alerts",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow modules first, and mark each test of a module of ONE_WORKER with its group
    (xdist hands out groups first, the largest first, then single tests in this order)."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))
    for item in items:
        group = ONE_WORKER.get(item.path.stem)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
