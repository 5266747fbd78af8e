"""Shared fixtures: the sample newsroom on 127.0.0.1, settings pointed at it, a fresh warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
        "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 5.0\n\n"
        f"{extra}\n{feeds}",
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
