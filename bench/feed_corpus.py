"""Every file of feedparser's test corpus, served over HTTP and read as a feed: none may crash.

    .venv/bin/python bench/feed_corpus.py [--corpus ../shared/data/feedparser-tests/tests]

The corpus (~2,100 files, BSD) lives outside the project (../shared/data); the test suite runs
the sample copied into tests/fixtures/feedparser. Prints how many were read, failed with a
reason, or crashed (must be 0), and the slowest files.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from config.settings import Feed  # noqa: E402
from tasks.feeds import read_feed  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "feedparser-tests" / "tests"


def serve(corpus: Path) -> ThreadingHTTPServer:
    """Return a running server on 127.0.0.1 that answers each path with that corpus file."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            """Return None: quiet."""

        def do_GET(self) -> None:
            """Return None after sending the file."""
            body = (corpus / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    """Return 0 when no file crashed the feed check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: give --corpus", file=sys.stderr)
        return 2
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file())
    server = serve(args.corpus)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    fetch = load_settings().fetch.model_copy(update={"allow_private_hosts": True})
    counts = {"ok": 0, "failed": 0, "crashed": 0}
    crashes, times = [], []
    started = time.perf_counter()
    for path in files:
        name = path.relative_to(args.corpus).as_posix()
        began = time.perf_counter()
        try:
            result = read_feed(Feed(name="corpus", url=f"{base}/{name}"), {}, fetch)
            counts["ok" if result.ok else "failed"] += 1
            assert result.ok or result.error, name
        except Exception as exc:  # noqa: BLE001 - counting them is the point
            counts["crashed"] += 1
            crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        times.append((time.perf_counter() - began, name))
    server.shutdown()
    total = time.perf_counter() - started
    print(f"{len(files)} files in {total:.1f} s ({1000 * total / len(files):.1f} ms each)")
    print(
        f"read {counts['ok']}, failed with a reason {counts['failed']}, crashed {counts['crashed']}"
    )
    for seconds, name in sorted(times, reverse=True)[:5]:
        print(f"  slowest: {seconds * 1000:.0f} ms {name}")
    for line in crashes[:20]:
        print(f"  CRASH {line}")
    return 1 if counts["crashed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
