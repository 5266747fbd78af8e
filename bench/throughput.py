"""Throughput: the sinorus pipeline over real news pages served on loopback, against a bare
single-thread trafilatura loop over the same pages.

    uv run python bench/throughput.py [--data DIR] [--repeat N] [--flow]

The pages are the ScrapingHub article-extraction benchmark (181 real news pages, MIT), read from
../shared/data/extraction-benchmark by default. They are served by a local HTTP server with an RSS
feed listing them; the pipeline reads the feed, fetches every page over HTTP, extracts (process
pool), judges relevance and keywords, and loads each batch into a fresh lake (SQLite catalog and
Parquet files in a temporary folder), its duplicates decided at commit time against the
warehouse's own index. `--flow` also times the real Prefect flow, whose fixed cost (a temporary
API server, ~1 s per flow run) is reported apart. How the lake's costs grow with its size:
bench/lake.py.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The pipeline is imported in main(), not here: extraction workers are spawned processes that
# re-import this file, and they should not pay for Prefect's import each.

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction-benchmark"


def load_pages(data: Path, repeat: int) -> dict[str, bytes]:
    """Return {path: html bytes} for every benchmark page, `repeat` times under distinct paths."""
    files = sorted((data / "html").glob("*.html.gz"))
    if not files:
        sys.exit(f"no pages under {data / 'html'}: pass --data")
    pages = {}
    for copy in range(repeat):
        for file in files:
            pages[f"/{copy}/{file.name.removesuffix('.html.gz')}.html"] = gzip.decompress(
                file.read_bytes()
            )
    return pages


def rss(base: str, paths: list[str]) -> bytes:
    """Return an RSS feed linking every page."""
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>page {i}</title><link>{base}{p}</link><pubDate>{now}</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
        f"<link>{base}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """Return a running loopback server for the pages and /feed.xml, and its base URL."""
    site: dict[str, tuple[bytes, str]] = {
        p: (b, "text/html; charset=utf-8") for p, b in pages.items()
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body, kind = site.get(self.path, (b"missing", "text/plain"))
            self.send_response(200 if self.path in site else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site["/feed.xml"] = (rss(base, list(pages)), "application/rss+xml")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def write_config(tmp: Path, base: str, catalog: Path) -> Path:
    """Return a config file reading the bench feed into the lake of `catalog` (data beside it).

    Every page comes from one host here, so the per-host politeness of the defaults (2 at a
    time, 0.5 s apart) would measure the delay, not the pipeline: it is lifted to the global limit.
    """
    path = tmp / "bench.toml"
    path.write_text(
        f'[warehouse]\ncatalog = "{catalog}"\n[fetch]\nallow_private_hosts = true\n'
        "per_host_concurrency = 8\nper_host_delay_seconds = 0.0\n"
        f'[[feeds]]\nname = "bench"\nurl = "{base}/feed.xml"\n',
        encoding="utf-8",
    )
    return path


def bare_loop(pages: dict[str, bytes], fast: bool, include_comments: bool) -> float:
    """Return the seconds a single-thread trafilatura loop takes over the pages (no I/O)."""
    from tasks.extract_worker import extract_fields

    start = time.perf_counter()
    for path, html in pages.items():
        extract_fields(html, f"https://bench.invalid{path}", fast, include_comments)
    return time.perf_counter() - start


def pipeline(config: Path) -> tuple[float, dict[str, float], int]:
    """Return seconds, seconds per stage, and articles stored, for one plain-function pass."""
    from config import load_settings
    from tasks.assess import judge_batch
    from tasks.extract import extract_pages
    from tasks.feeds import read_feed
    from tasks.fetch import fetch_pages
    from tasks.load import load_batch
    from tasks.location import lake_of
    from tasks.plan import plan_candidates
    from tasks.urls import batches

    try:
        from sinorus.baseline import load_seeds
    except ImportError:  # before the baseline moved out of tasks/seeds.py
        from tasks.seeds import load_seeds

    settings = load_settings(config)
    lake = lake_of(settings)
    load_seeds(lake, settings)  # the baseline, as the flow loads it; not timed
    stages = dict.fromkeys(["feed", "plan", "fetch", "extract", "assess", "load"], 0.0)
    start = time.perf_counter()
    mark = start

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[stage] += now - mark
        mark = now

    feeds = [read_feed(feed, {}, settings.fetch) for feed in settings.feeds]
    lap("feed")
    plan = plan_candidates(lake, feeds, "monitor")
    candidates = getattr(plan, "candidates", plan)  # a Plan, or (before it) the list itself
    lap("plan")
    stored = 0
    for batch in batches(candidates, settings.fetch.batch_size):
        fetched, failed = fetch_pages(batch, settings.fetch)
        lap("fetch")
        articles, failed_extract = extract_pages(fetched, settings.extract)
        lap("extract")
        judged = judge_batch(articles, settings)
        lap("assess")
        # The commit decides duplicates against the lake (one join on its dedup_keys), as the
        # flow's load-batch task does.
        loaded = load_batch(
            lake,
            judged,
            failed + failed_extract,
            None,
            settings.fetch.retry_failed_after_hours,
            settings.dedup,
            settings.fetch.keep_raw_html,
        )
        stored += loaded.inserted
        lap("load")
    return time.perf_counter() - start, stages, stored


def flow_run(config: Path) -> tuple[float, dict]:
    """Return seconds for the real Prefect flow (fresh warehouse) and its summary."""
    from flows.monitor import monitor

    start = time.perf_counter()
    summary = monitor(str(config), None)
    return time.perf_counter() - start, summary


def main() -> None:
    """Print pages/s for the pipeline and for the bare loop, and their ratio."""
    import tasks  # noqa: F401  (Prefect's environment first)
    from config import load_settings
    from tasks.extract import worker_count

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=2, help="serve each page this many times")
    parser.add_argument("--flow", action="store_true", help="also time the real Prefect flow")
    args = parser.parse_args()

    pages = load_pages(args.data, args.repeat)
    server, base = serve(pages)
    settings = load_settings()
    n = len(pages)
    print(
        f"{n} pages ({n // args.repeat} distinct x {args.repeat}), {os.cpu_count()} cores, "
        f"{worker_count(settings.extract)} extraction workers"
    )

    bare = bare_loop(pages, settings.extract.fast, settings.extract.include_comments)
    print(f"bare trafilatura loop (1 thread, in memory): {bare:6.1f} s  {n / bare:6.1f} pages/s")

    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), base, Path(tmp) / "bench.sqlite")
        seconds, stages, stored = pipeline(config)
        print(
            f"sinorus pipeline (HTTP + pool + judge + dedup/load): {seconds:6.1f} s  "
            f"{n / seconds:6.1f} pages/s"
            f"  ({stored} rows)"
        )
        print("  per stage: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
        print(f"ratio pipeline / bare: {bare / seconds:.2f}x")
        if args.flow:
            config = write_config(Path(tmp), base, Path(tmp) / "flow.sqlite")
            seconds, summary = flow_run(config)
            print(
                f"Prefect flow, end to end (incl. temporary server start): {seconds:6.1f} s  "
                f"{summary['extracted'] / seconds:6.1f} pages/s"
            )
    server.shutdown()


if __name__ == "__main__":
    main()
