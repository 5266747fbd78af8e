"""Hostile input: feedparser's own broken and oddly encoded test feeds, served over HTTP.

Every file must leave the feed check alive: it returns a result, and a failure says why.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from config import Settings
from config.settings import Feed
from tasks.feeds import read_feed

CORPUS = Path(__file__).resolve().parent / "fixtures" / "feedparser"
FILES = sorted(
    p.relative_to(CORPUS).as_posix()
    for p in CORPUS.rglob("*")
    if p.is_file() and p.parent != CORPUS
)


@pytest.fixture(scope="module")
def corpus_url() -> Iterator[str]:
    """A server on 127.0.0.1 serving the corpus as feeds; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = (CORPUS / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_corpus_is_there() -> None:
    assert len(FILES) > 100


@pytest.mark.parametrize("name", FILES)
def test_a_hostile_feed_is_read_or_reported_never_crashes(
    name: str, corpus_url: str, settings: Settings
) -> None:
    fetch = settings.fetch.model_copy(update={"allow_private_hosts": True})
    result = read_feed(Feed(name=name, url=f"{corpus_url}/{name}"), {}, fetch)  # never raises
    assert result.status in ("ok", "failed")
    if result.status == "failed":
        assert result.error and not result.entries
    else:
        assert all(entry.canonical_url.startswith("http") for entry in result.entries)
