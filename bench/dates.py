"""Publication dates on real pages with known dates (htmldate's two evaluation sets): the date
sinorus stores, next to htmldate alone, in the same sitting, set by set.

    uv run python bench/dates.py [--data DIR ...] [--limit N] [--show-wrong]

The sets (each a folder of gold.json and pages/, gzip or xz): the 800 pages the rule was first
built on (../shared/data/dates-htmldate, when present) and the 200 MediaCloud pages of 2020 it was
checked on (tests/eval/dates/mediacloud-2020, in the project). A page without a gold date is left
out of the scores. The pages are served on 127.0.0.1 under their original paths (behind their host name, so that
two sites' "/" stay apart and a date in the URL still shows), fetched with tasks.fetch and read
by the extraction worker in the process pool; tasks.extract.page_date chooses among the
witnesses (no feed or listing date: a URL list). Printed for each: exact day, wrong, missed.
  stored  : what lands in the warehouse: the article's date, or for a page whose text is too
            short, the date on its page_failures row (tasks/extract.extract_pages)
  articles: the stored dates of pages with text enough for an article
  before  : the rule before issue 12 (trafilatura's fast htmldate, URL first; stored pages only)
  htmldate: find_date alone on the same HTML and URL, fast and extensive, default and original
and which witness won, with its own accuracy; --show-wrong lists every page not dated right with
its witnesses and htmldate's extensive answer, to study the rule's mistakes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = [
    ROOT.parent / "shared" / "data" / "dates-htmldate",
    ROOT / "tests" / "eval" / "dates" / "mediacloud-2020",
]
HTMLDATE = {
    "htmldate fast": {"extensive_search": False},
    "htmldate extensive": {"extensive_search": True},
    "htmldate fast, original_date": {"extensive_search": False, "original_date": True},
    "htmldate extensive, original_date": {"extensive_search": True, "original_date": True},
}


def local_path(url: str, folder: str = "") -> str:
    """Return the path a page is served under: its set, host, then original path and query."""
    parts = urlsplit(url)
    start = f"/{folder}" if folder else ""
    return f"{start}/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def read_set(folder: Path, limit: int) -> dict[str, tuple[bytes, str | None]]:
    """Return {served path: (html, gold day or None)} for one set's first `limit` pages."""
    listed = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    pages = {}
    for url, info in list(listed.items())[: limit or None]:
        raw = (folder / "pages" / info["file"]).read_bytes()
        html = lzma.decompress(raw) if info["file"].endswith(".xz") else gzip.decompress(raw)
        pages[local_path(url, folder.name)] = (html, info["date"])
    return pages


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


def score(found: dict[str, str | None], gold: dict[str, str | None]) -> str:
    """Return exact day (share), wrong and missed (counts) over the pages with a gold date."""
    dated = {url: day for url, day in gold.items() if day is not None}
    exact = sum(found.get(url) == day for url, day in dated.items())
    missed = sum(found.get(url) is None for url in dated)
    wrong = len(dated) - exact - missed
    n = max(len(dated), 1)
    return f"exact {exact / n:6.1%}   wrong {wrong:3} ({wrong / n:5.1%})   missed {missed:3}"


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """Return a running loopback server for {path: html} and its base URL."""
    # The client sends a path with non-ASCII characters percent-encoded, and the gold URLs hold
    # either form: both sides are compared unquoted.
    pages = {unquote(path): body for path, body in pages.items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = pages.get(unquote(self.path))
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
    parser.add_argument(
        "--data", type=Path, action="append", help="a set's folder (repeat; default: both sets)"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument(
        "--show-wrong", action="store_true", help="list the pages not dated right, with witnesses"
    )
    args = parser.parse_args()
    folders = [f for f in args.data or DEFAULT_DATA if (f / "gold.json").is_file()]
    if not folders:
        parser.error("no set found (a folder with gold.json and pages/)")

    from config import DEMO_CONFIG, load_settings
    from tasks.extract import page_date, pool_map, worker_count
    from tasks.extract_worker import extract_job
    from tasks.fetch import fetch_pages
    from tasks.records import Candidate

    sets = {folder.name: read_set(folder, args.limit) for folder in folders}
    server, base = serve(
        {path: html for pages in sets.values() for path, (html, _) in pages.items()}
    )
    gold = {
        name: {base + path: day for path, (_, day) in pages.items()} for name, pages in sets.items()
    }
    settings = load_settings(DEMO_CONFIG)
    # One loopback host stands for every site: no politeness pause between its requests.
    fetch = settings.fetch.model_copy(
        update={
            "allow_private_hosts": True,
            "per_host_delay_seconds": 0.0,
            "per_host_concurrency": 8,
        }
    )
    extract = settings.extract
    workers = worker_count(extract)
    urls = [url for days in gold.values() for url in days]
    candidates = [Candidate(canonical_url=u, url=u, origin="backfill") for u in urls]

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

    stored: dict[str, str | None] = {}
    articles: dict[str, str | None] = {}
    chosen: dict[str, str] = {}
    found: dict[str, dict[str, str | None]] = {name: {} for name in [*HTMLDATE, "before"]}
    mistakes: dict[str, str] = {}
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
        # extract_pages dates a short page's failure row by the same page_date.
        stored[url] = day
        if len(fields["text"]) >= extract.min_text_chars:
            articles[url] = day
        chosen[url] = evidence["chosen"] or "none"
        said = ", ".join(f"{n} {d}" for n, d in evidence["witnesses"].items() if d)
        mistakes[url] = (
            f"got {day} from {chosen[url]}: {said or '-'}; "
            f"htmldate extensive {reference['htmldate extensive, original_date']}  {url}"
        )

    print(
        f"{len(urls)} pages ({len(failures)} not fetched); fetch {fetched:.0f} s, extraction "
        f"{extracted:.0f} s, htmldate references {referenced:.0f} s on {workers} workers "
        "(2 cores shared with other work: times are indicative, accuracy is not load-bound)"
    )
    for name, days in gold.items():
        dated = {u: d for u, d in days.items() if d is not None}
        print(f"\n{name}: {len(dated)} pages with a gold date ({len(days) - len(dated)} without)")
        print(f"  {'sinorus stored':36} {score(stored, days)}")
        print(f"  {'sinorus stored, articles only':36} {score(articles, days)}")
        print(f"  {'before (stored, pre issue 12)':36} {score(found['before'], days)}")
        for method in HTMLDATE:
            print(f"  {method:36} {score(found[method], days)}")
        won = Counter(chosen.get(u, "none") for u in dated)
        right = Counter(chosen.get(u, "none") for u, d in dated.items() if stored.get(u) == d)
        print("  witness that won: pages (right)")
        for witness, count in won.most_common():
            print(f"    {witness:12} {count:4} ({right[witness] / count:.1%} right)")
        short = sum(u in stored and u not in articles for u in days)
        print(f"  text too short for an article (dated on page_failures): {short}")
        if args.show_wrong:
            wrong = sorted(
                f"    {d} {mistakes.get(u, 'not extracted')}"
                for u, d in dated.items()
                if stored.get(u) != d
            )
            print(f"  not dated right (gold, chosen, witness; every witness): {len(wrong)} pages")
            print("\n".join(wrong))


if __name__ == "__main__":
    main()
