"""A 1,000-URL backfill against a local server: the real backfill flow, `--source urls`.

    uv run python bench/backfill.py [--data DIR] [--urls 1000] [--per-host 8] [--delay 0]

Real news pages (the ScrapingHub benchmark, MIT, from ../shared/data by default) are served on
loopback under distinct URLs, listed in a URL file, and backfilled into a fresh DuckDB file:
listing, fetching, extraction, relevance, dedup, loading, queue bookkeeping, Prefect included.
Politeness is per host and everything here is one host, so the defaults of the config (2 at a
time, 0.5 s apart) would make this a test of the delay; the flags set it (reported below).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

# The pipeline is imported in main(): extraction workers re-import this file.


def main() -> None:
    """Print the backfill's wall time, URLs per second and outcome counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "extraction-benchmark"
    )
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    from throughput import load_pages, serve

    import tasks  # noqa: F401  (Prefect's environment first)
    from flows.backfill import backfill

    distinct = len(list((args.data / "html").glob("*.html.gz")))
    pages = load_pages(args.data, -(-args.urls // distinct))
    paths = list(pages)[: args.urls]
    server, base = serve({p: pages[p] for p in paths})
    with tempfile.TemporaryDirectory() as tmp:
        urls = Path(tmp) / "urls.txt"
        urls.write_text("\n".join(base + p for p in paths), encoding="utf-8")
        config = Path(tmp) / "bench.toml"
        config.write_text(
            f'[warehouse]\npath = "{Path(tmp) / "bench.duckdb"}"\n'
            f"[fetch]\nallow_private_hosts = true\nper_host_concurrency = {args.per_host}\n"
            f'per_host_delay_seconds = {args.delay}\n[backfill]\nundated = "sighting"\n',
            encoding="utf-8",
        )
        started = time.perf_counter()
        summary = backfill(
            date(1990, 1, 1),
            date(2030, 12, 31),
            source="urls",
            urls_file=str(urls),
            config_path=str(config),
        )
        seconds = time.perf_counter() - started
    server.shutdown()
    print(
        f"{len(paths)} URLs ({distinct} distinct pages), per host {args.per_host} at once, "
        f"{args.delay} s apart"
    )
    print(
        f"backfill (Prefect flow, temporary API server included): {seconds:.1f} s, "
        f"{len(paths) / seconds:.1f} URLs/s"
    )
    print(
        f"fetched {summary['pages_fetched']}, extracted {summary['extracted']}, "
        f"relevant {summary['relevant']}, duplicates {summary['duplicates']}, "
        f"stored {summary['stored']}; queue {summary['backfill']['queue']}"
    )


if __name__ == "__main__":
    main()
