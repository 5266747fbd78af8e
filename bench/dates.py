"""Publication dates on 800 real pages with known dates (htmldate's evaluation set): the date
sinorus stores and the date it chooses, next to htmldate alone, in the same sitting.

    uv run python bench/dates.py [--data DIR] [--limit N]

The pages are served on 127.0.0.1 under their original paths (behind their host name, so that
two sites' "/" stay apart and a date in the URL still shows), fetched with tasks.fetch and read
by the extraction worker in the process pool; tasks.extract.page_date chooses among the
witnesses (no feed or listing date: a URL list). Printed for each: exact day, wrong, missed.
  stored  : what lands in the warehouse (pages whose text is too short store nothing)
  chosen  : the date chosen for every page, short text or not
  before  : the rule before issue 12 (trafilatura's fast htmldate, URL first; stored pages only)
  htmldate: find_date alone on the same HTML and URL, fast and extensive, default and original
and which witness won, with its own accuracy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dates-htmldate"
HTMLDATE = {
    "htmldate fast": {"extensive_search": False},
    "htmldate extensive": {"extensive_search": True},
    "htmldate fast, original_date": {"extensive_search": False, "original_date": True},
    "htmldate extensive, original_date": {"extensive_search": True, "original_date": True},
}


def local_path(url: str) -> str:
    """Return the path a page is served under: its host, then its original path and query."""
    parts = urlsplit(url)
    return f"/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def reference_job(job: tuple[bytes, str]) -> dict[str, str | None]:
    """Return htmldate alone (each setting) and the rule before issue 12 for one page."""
    from htmldate import find_date
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    html, url = job
    found: dict[str, str | None] = {
        name: find_date(html, url=url, **params) for name, params in HTMLDATE.items()
    }
    document = bare_extraction(
        load_html(html),
        url=url,
        with_metadata=True,
        fast=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (document.text or "") if document is not None else ""
    found["before"] = document.date if document is not None else None
    found["before_chars"] = str(len(text))
    return found


def score(found: dict[str, str | None], gold: dict[str, str]) -> str:
    """Return 'exact, wrong, missed' as shares of the gold pages."""
    exact = sum(found.get(url) == day for url, day in gold.items())
    missed = sum(found.get(url) is None for url in gold)
    wrong = len(gold) - exact - missed
    n = len(gold)
    return f"exact {exact / n:6.1%}   wrong {wrong / n:6.1%}   missed {missed / n:6.1%}"


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """Return a running loopback server for {path: html} and its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()

    from config import DEMO_CONFIG, load_settings
    from tasks.extract import page_date, pool_map, worker_count
    from tasks.extract_worker import extract_job
    from tasks.fetch import fetch_pages
    from tasks.records import Candidate

    listed = json.loads((args.data / "gold.json").read_text(encoding="utf-8"))
    items = list(listed.items())[: args.limit or None]
    html = {
        local_path(url): gzip.decompress((args.data / "pages" / info["file"]).read_bytes())
        for url, info in items
    }
    server, base = serve(html)
    gold = {base + local_path(url): info["date"] for url, info in items}
    settings = load_settings(DEMO_CONFIG)
    # One loopback host stands for 800 sites: no politeness pause between its requests.
    fetch = settings.fetch.model_copy(
        update={
            "allow_private_hosts": True,
            "per_host_delay_seconds": 0.0,
            "per_host_concurrency": 8,
        }
    )
    extract = settings.extract
    workers = worker_count(extract)
    candidates = [Candidate(canonical_url=u, url=u, origin="backfill") for u in gold]

    start = time.perf_counter()
    pages, failures = fetch_pages(candidates, fetch)
    fetched = time.perf_counter() - start
    server.shutdown()
    start = time.perf_counter()
    jobs = [
        (p.html, p.final_url, extract.fast, extract.include_comments, extract.retry_below_chars)
        for p in pages
    ]
    results = pool_map(extract_job, jobs, workers)
    extracted = time.perf_counter() - start
    start = time.perf_counter()
    references = pool_map(reference_job, [(p.html, p.final_url) for p in pages], workers)
    referenced = time.perf_counter() - start

    chosen: dict[str, str | None] = {}
    stored: dict[str, str | None] = {}
    won: Counter = Counter()
    won_right: Counter = Counter()
    found: dict[str, dict[str, str | None]] = {name: {} for name in [*HTMLDATE, "before"]}
    for page, fields, reference in zip(pages, results, references, strict=True):
        url = page.candidate.url
        for name in found:
            found[name][url] = reference[name]
        if int(reference["before_chars"] or 0) < extract.min_text_chars:
            found["before"][url] = None
        if not isinstance(fields, dict):
            continue
        published, _, evidence = page_date(page, fields["dates"])
        day = published.date().isoformat() if published else None
        chosen[url] = day
        if len(fields["text"]) >= extract.min_text_chars:
            stored[url] = day
        witness = evidence["chosen"] or "none"
        won[witness] += 1
        won_right[witness] += day == gold[url]

    print(
        f"{len(gold)} pages ({len(failures)} not fetched); fetch {fetched:.0f} s, extraction "
        f"{extracted:.0f} s, htmldate references {referenced:.0f} s on {workers} workers "
        "(2 cores shared with other work: times are indicative, accuracy is not load-bound)"
    )
    print(f"{'sinorus stored':36} {score(stored, gold)}")
    print(f"{'sinorus chosen (every page)':36} {score(chosen, gold)}")
    print(f"{'before (stored, pre issue 12)':36} {score(found['before'], gold)}")
    for name in HTMLDATE:
        print(f"{name:36} {score(found[name], gold)}")
    print("witness that won: pages (right)")
    for witness, count in won.most_common():
        print(f"  {witness:12} {count:4} ({won_right[witness] / count:.1%} right)")
    print(f"text too short to store: {len(chosen) - len(stored)} pages")


if __name__ == "__main__":
    main()
