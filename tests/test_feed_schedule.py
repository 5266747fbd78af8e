"""Feeds on their own schedules, end to end: a run reads only the feeds that are due, a person can
pause and resume one, and `sinorus feeds` shows them worst first."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from devtools.newsroom_server import Newsroom
from sinorus.cli import app
from tests.conftest import NEWSROOM_FEEDS, write_config

runner = CliRunner()


def _run(config: Path, every_feed: bool = False) -> dict:
    # The flow itself: Prefect's log handler outlives one CliRunner's streams, not several.
    from flows.monitor import monitor

    summary = monitor(str(config), None, every_feed)
    assert summary["status"] == "completed", summary
    return summary


def _feed_requests(newsroom: Newsroom) -> set[str]:
    return {path.rsplit("/", 1)[-1] for path in newsroom.requests if path.startswith("/feeds/")}


def test_a_run_reads_only_the_feeds_that_are_due_and_a_person_can_pause_one(
    prefect_harness, newsroom: Newsroom, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "c.toml", newsroom.base_url, tmp_path / "w.sqlite")
    first = _run(config)
    assert first["feeds_due"] == len(NEWSROOM_FEEDS)

    newsroom.clear_requests()
    second = _run(config)  # minutes later: no feed's interval has passed
    assert (second["feeds_due"], second["feeds_ok"], second["feeds_failed"]) == (0, 0, 0)
    assert second["status"] == "completed" and _feed_requests(newsroom) == set()

    listed = runner.invoke(app, ["feeds", "--config", str(config), "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    table = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert len(table) == len(NEWSROOM_FEEDS)
    assert table[0]["url"].endswith("broken.xml") and table[0]["failures"] == "1"  # worst first
    assert all(row["next_fetch_at"] for row in table)

    world = f"{newsroom.base_url}/feeds/world.rss"
    paused = runner.invoke(
        app, ["feeds", "pause", world, "--config", str(config), "--reason", "noisy"]
    )
    assert paused.exit_code == 0 and "paused" in paused.stdout
    newsroom.clear_requests()
    everything = _run(config, every_feed=True)
    assert everything["feeds_due"] == len(NEWSROOM_FEEDS) - 1
    assert _feed_requests(newsroom) == set(NEWSROOM_FEEDS) - {"world.rss"}

    resumed = runner.invoke(app, ["feeds", "resume", world, "--config", str(config)])
    assert resumed.exit_code == 0 and "resumed" in resumed.stdout
    newsroom.clear_requests()
    after = _run(config)
    assert after["feeds_due"] == 1 and _feed_requests(newsroom) == {"world.rss"}

    unknown = runner.invoke(
        app, ["feeds", "pause", "https://nowhere.example/x.xml", "--config", str(config)]
    )
    assert unknown.exit_code == 2 and "no feed" in unknown.stderr


def test_a_run_where_every_feed_fails_exits_1_with_one_line_a_feed(
    prefect_harness, newsroom: Newsroom, tmp_path: Path
) -> None:
    config = tmp_path / "dead.toml"
    config.write_text(
        f'[warehouse]\ncatalog = "{tmp_path / "w.sqlite"}"\ncommit_limit = false\n'
        "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 2.0\n"
        f'[[feeds]]\nname = "Gone"\nurl = "{newsroom.base_url}/special/status/404"\n'
        f'[[feeds]]\nname = "Down"\nurl = "{newsroom.base_url}/special/status/503"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 1
    out = result.stdout
    assert "every feed failed (2)" in out
    assert "HTTP 404" in out and "HTTP 503" in out
    assert "Traceback" not in result.output
