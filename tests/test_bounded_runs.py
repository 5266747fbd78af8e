"""Bounded runs: a feed that lists 2,000 links on one host cannot hold a run for long. A run takes
at most `fetch.max_new_per_feed` of a feed's new links and stops at `run.max_seconds`; what it
leaves is taken by the next runs, none lost, none twice."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tasks.clock import ManualClock, use
from tests.conftest import rows

LINKS = 2000
PAGE_SECONDS = 0.0625  # the host's pace on the runs' clock (the deadline's test): 1/16, exact
WORDS = [
    "harbour",
    "ledger",
    "tariff",
    "cargo",
    "bridge",
    "freight",
    "customs",
    "rail",
    "border",
    "grain",
    "port",
    "quota",
]


def _page(i: int) -> bytes:
    rng = random.Random(i)  # each page its own text: no page repeats another
    text = " ".join(rng.choice(WORDS) for _ in range(120))
    return (
        f"<html><head><title>Freight note {i}</title></head><body><article><h1>Freight note {i}"
        f"</h1><p>{text}.</p><p>Note {i} ends here.</p></article></body></html>"
    ).encode()


def _feed(base: str, links: int) -> bytes:
    items = "".join(
        f"<item><title>Freight note {i}</title><link>{base}/p/{i}.html</link>"
        f"<pubDate>Mon, 30 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        """Return None: quiet."""

    def do_GET(self) -> None:
        """Return None after serving the feed or one of its pages."""
        if self.path.startswith("/feed.xml"):
            links = int(self.path.partition("?n=")[2] or LINKS)
            body, kind = _feed(self.server.base, links), "application/rss+xml"
        elif self.path.startswith("/p/"):
            self.server.pages.append(self.path)
            if self.server.clock is not None:  # each page takes the host this long to serve
                self.server.clock.advance(PAGE_SECONDS)
            body, kind = _page(int(self.path[3:].split(".")[0])), "text/html; charset=utf-8"
        else:
            body, kind = b"", "text/plain"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def big_feed() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.pages = []
    server.clock = None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _config(
    tmp_path: Path,
    base: str,
    max_seconds: float,
    max_new: int,
    links: int = LINKS,
    delay: float = 0.02,
) -> Path:
    path = tmp_path / "big.toml"
    path.write_text(
        f'[warehouse]\ncatalog = "{tmp_path / "w.sqlite"}"\ncommit_limit = false\n'
        f"[run]\nmax_seconds = {max_seconds}\n"
        "[fetch]\nallow_private_hosts = true\ntimeout_seconds = 5.0\nbatch_size = 20\n"
        f"per_host_concurrency = 4\nper_host_delay_seconds = {delay}\nmax_new_per_feed = {max_new}\n"
        f'[[feeds]]\nname = "Big"\nurl = "{base}/feed.xml?n={links}"\n',
        encoding="utf-8",
    )
    return path


def test_a_feed_of_2000_links_is_taken_a_share_per_run(
    prefect_harness, big_feed, tmp_path: Path
) -> None:
    from flows.monitor import monitor

    config = _config(tmp_path, big_feed.base, max_seconds=600, max_new=100)
    first = monitor(str(config))
    assert first["status"] == "completed_partial"
    assert first["new_urls"] == 100 and first["left_urls"] == LINKS - 100
    assert first["held_back"] == {"Big": LINKS - 100}
    assert len(big_feed.pages) == 100
    second = monitor(str(config))  # due again at once: it has links left
    assert second["feeds_due"] == 1 and second["new_urls"] == 100
    assert len(big_feed.pages) == len(set(big_feed.pages)) == 200  # none twice
    assert rows(
        tmp_path / "w.sqlite", "select count(*) from articles where origin = 'monitor'"
    ) == [(200,)]


def test_a_run_stops_at_its_deadline_and_the_next_takes_up_the_rest(
    prefect_harness, big_feed, tmp_path: Path
) -> None:
    from flows.monitor import monitor

    # The runs read a clock that only the host's pace moves: each page served takes 1/16 s of
    # it, whatever this machine's speed. The deadline (10 s) is checked as a batch (20 pages,
    # 1.25 s) is taken: the first run takes batches 0-7 (160 pages) and leaves the other 140.
    config = _config(tmp_path, big_feed.base, max_seconds=10, max_new=1000, links=300, delay=0)
    with use(ManualClock()) as clock:
        big_feed.clock = clock
        first = monitor(str(config))
        assert first["status"] == "completed_partial"
        assert (first["pages_fetched"], first["left_urls"]) == (160, 140)
        assert clock.monotonic() == pytest.approx(160 * PAGE_SECONDS)
        second = monitor(str(config))  # the next run takes up the rest: 7 batches, in time
        assert second["status"] == "completed"
        assert (second["new_urls"], second["pages_fetched"], second["left_urls"]) == (140, 140, 0)
    assert len(big_feed.pages) == len(set(big_feed.pages)) == 300
    db = tmp_path / "w.sqlite"
    assert rows(db, "select count(*) from articles where origin = 'monitor'") == [(300,)]
    assert rows(db, "select status from runs order by started_at") == [
        ("completed_partial",),
        ("completed",),
    ]
