"""Throughput: the sinorus pipeline over real news pages served on loopback, against a bare
single-thread trafilatura loop over the same pages; fixed start-up costs and peak memory apart.

    uv run python bench/throughput.py [--data DIR] [--repeat N] [--runs N] [--depth D] [--flow]
                                      [--memory 1000,10000]

The pages are the ScrapingHub article-extraction benchmark (181 real news pages, MIT), read from
../shared/data/extraction-benchmark by default, `--repeat` times under distinct paths. A child
process serves them over HTTP with RSS feeds listing them (a real site costs this machine no
CPU; a server in this process would also take this process's GIL). The pipeline reads a feed,
fetches every page, extracts and judges in the warm process pool, and commits each batch into a
fresh lake (SQLite catalog, Parquet files in a temporary folder), duplicates decided at commit.

Printed: the bare loop's pages/s, and the same loop doing the pipeline's extraction (its retry of
short texts); the bare loop in as many processes at once as the pool has workers, which is what
this machine's cores give to independent extraction at that moment (on this shared 2-core machine,
anywhere from 1.5x to 2x one loop); the pipeline's, as plain functions (tasks/pipeline.py, no
Prefect): all its work in this process's one thread (`extract.workers = 1`, depth 0), one batch
after another (depth 0) and overlapped (`--depth`, default the pipeline's), each with its ratio to
the bare loop, and the overlapped one's to the one-thread one and to what the cores gave; the
pool's start-up apart. Each line is the best of `--runs` runs, taken in turn (wall time on a shared
2-core machine varied by a third from one run to the next); every run's pages/s follow in brackets.
Under each pipeline line, the CPU it used per page (this process, the pool's workers, and the page
server apart: a real site costs this machine nothing) against the bare loop's: the ratio the cores
would allow if they were the pipeline's alone, which other work on the machine does not skew the
way it skews wall time. `--flow` also runs `sinorus run` over the pages and over an empty feed,
with a temporary Prefect server and with an already running one (PREFECT_API_URL), to give the
fixed cost of a run both ways. `--memory` runs the overlapped pipeline over each number of pages in
a fresh process and prints its peak resident memory (VmHWM) and the pool workers'. How the lake's
costs grow with its size: bench/lake.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import clock, memory_mb  # noqa: E402

# The pipeline is imported in functions, not here: extraction workers are spawned processes that
# re-import this file, and they should not pay for Prefect's import each.

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction-benchmark"


def load_pages(data: Path, repeat: int) -> dict[str, bytes]:
    """Return {path: html bytes} for every benchmark page, `repeat` times under distinct paths
    (the copies share their bytes: 10,000 pages cost the memory of 181)."""
    files = sorted((data / "html").glob("*.html.gz"))
    if not files:
        sys.exit(f"no pages under {data / 'html'}: pass --data")
    distinct = {
        file.name.removesuffix(".html.gz"): gzip.decompress(file.read_bytes()) for file in files
    }
    return {
        f"/{copy}/{name}.html": html for copy in range(repeat) for name, html in distinct.items()
    }


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
    """Return a running loopback server for the pages, /feed.xml (all of them), /feed-N.xml (the
    first N) and /empty.xml, and its base URL."""
    paths = list(pages)

    @cache
    def feed(n: int) -> bytes:
        return rss(base, paths[:n])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            kind = "application/rss+xml"
            if self.path == "/feed.xml":
                body = feed(len(paths))
            elif self.path.startswith("/feed-") and self.path.endswith(".xml"):
                body = feed(int(self.path[6:-4]))
            elif self.path == "/empty.xml":
                body = rss(base, [])
            else:
                body, kind = pages.get(self.path), "text/html; charset=utf-8"
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"missing"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def serve_child(data: Path, repeat: int) -> tuple[subprocess.Popen, str]:
    """Return a child process serving the pages (see serve) and its base URL."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--data", str(data), "--repeat", str(repeat), "--serve"],
        stdin=subprocess.PIPE,  # the child serves until this closes
        stdout=subprocess.PIPE,
        text=True,
    )
    return child, child.stdout.readline().strip()


def write_config(
    tmp: Path, base: str, catalog: Path, feed: str = "feed.xml", extra: str = ""
) -> Path:
    """Return a config file reading one bench feed into the lake of `catalog` (data beside it).

    Every page comes from one host here, so the per-host politeness of the defaults (2 at a
    time, 0.5 s apart) would measure the delay, not the pipeline: it is lifted to the global
    limit; and a run takes every link of the feed, not the default 100. `extra` is appended
    (more TOML tables).
    """
    path = tmp / f"{catalog.stem}.toml"
    path.write_text(
        f'[warehouse]\ncatalog = "{catalog}"\n[fetch]\nallow_private_hosts = true\n'
        "per_host_concurrency = 8\nper_host_delay_seconds = 0.0\nmax_new_per_feed = 100000\n"
        f'[[feeds]]\nname = "bench"\nurl = "{base}/{feed}"\n{extra}',
        encoding="utf-8",
    )
    return path


def bare_loop(pages: dict[str, bytes], extract, retry_below: int = 0) -> tuple[float, float]:
    """Return the seconds and CPU seconds a single-thread trafilatura loop takes over the pages
    (no I/O), warmed up as a pool worker is (the first page's one-off costs are not counted).

    With `retry_below` 0 it is trafilatura's fast mode alone, plus the text's language and the
    date witnesses (which cost about what trafilatura's own date search does); above 0, the
    pipeline's extraction (tasks/extract_worker.py): precision first, a precise second pass for
    short texts.
    """
    from tasks.extract_worker import extract_fields, warm_up

    warm_up()
    with clock() as took:
        for path, html in pages.items():
            url = f"https://bench.invalid{path}"
            extract_fields(html, url, extract.fast, extract.include_comments, retry_below)
    return took.wall, took.cpu


def _bare_child(data: Path, repeat: int, start, results) -> None:
    """One process of parallel_bare: load and warm, wait for the others, run, report."""
    from config import load_settings

    extract = load_settings().extract
    pages = load_pages(data, repeat)
    bare_loop(dict(list(pages.items())[:20]), extract)  # imports and one-off costs, not timed
    start.wait()
    results.put(bare_loop(pages, extract))


def parallel_bare(data: Path, repeat: int, processes: int) -> tuple[float, float]:
    """Return the wall seconds and CPU seconds of `processes` bare loops over the pages run at
    once, each in a process of its own: the most this machine's cores give to independent
    extraction, whatever the pipeline does."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    children = [
        context.Process(target=_bare_child, args=(data, repeat, start, results))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    done = [results.get() for _ in children]
    for child in children:
        child.join()
    return max(seconds for seconds, _ in done), sum(cpu for _, cpu in done)


def _all(n: int, runs: list) -> str:
    """Return every run's pages/s, as "[a, b, c]"."""
    return "[" + ", ".join(f"{n / run[0]:.1f}" for run in runs) + "]"


def cpu_seconds(pid: int) -> float:
    """Return the CPU seconds (user + system, every thread) a live process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now(server: int) -> dict[str, float]:
    """Return the CPU seconds used so far by this process, the pool's workers and the server."""
    import multiprocessing

    return {
        "main": cpu_seconds(os.getpid()),
        "workers": sum(cpu_seconds(p.pid) for p in multiprocessing.active_children()),
        "server": cpu_seconds(server),
    }


def pipeline(
    config: Path, depth: int, server: int | None = None
) -> tuple[float, dict[str, float], int, int, dict[str, float]]:
    """Return seconds, busy seconds per stage, pages fetched, articles stored and CPU seconds by
    process (see cpu_now; with the `server` pid), for one pass of the plain-function pipeline
    (feed, plan, then the batches) into a fresh lake."""
    from config import load_settings
    from tasks.assess import judge_batch
    from tasks.extract import extract_pages
    from tasks.feeds import read_feed
    from tasks.fetch import fetch_pages
    from tasks.location import lake_of
    from tasks.pipeline import Stages, commit_batch, run_batches
    from tasks.plan import plan_candidates
    from tasks.seeds import load_seeds
    from tasks.sinks import Store
    from tasks.summary import RunSummary
    from tasks.urls import batches

    settings = load_settings(config)
    lake = lake_of(settings)
    load_seeds(lake, settings)  # the baseline, as the flow loads it; not timed
    busy = dict.fromkeys(["feed+plan", "fetch", "extract", "judge", "commit"], 0.0)

    def timed(stage: str, function):
        def run(*args):
            start = time.perf_counter()
            try:
                return function(*args)
            finally:
                busy[stage] += time.perf_counter() - start

        return run

    f = settings.fetch
    summary = RunSummary(run_id="", flow="monitor")
    cpu = cpu_now(server) if server else {}
    start = time.perf_counter()
    feeds = [read_feed(feed, {}, f) for feed in settings.feeds]
    candidates = plan_candidates(lake, feeds, "monitor").candidates
    busy["feed+plan"] = time.perf_counter() - start
    stages = Stages(
        fetch=timed("fetch", fetch_pages),
        extract=timed("extract", extract_pages),
        judge=timed("judge", judge_batch),
        commit=timed("commit", commit_batch),
    )
    left = run_batches(
        batches(candidates, f.batch_size),
        Store(lake, None),
        settings,
        summary,
        stages=stages,
        depth=depth,
    )
    assert not left, f"{len(left)} URLs left"
    counts = {"pages": summary.pages_fetched, "stored": summary.stored}
    seconds = time.perf_counter() - start
    used = {k: v - cpu[k] for k, v in cpu_now(server).items()} if server else {}
    return seconds, busy, counts["pages"], counts["stored"], used


def sinorus_run(config: Path, api_url: str | None) -> tuple[float, dict]:
    """Return the wall seconds of `sinorus run` in a fresh process (imports included) and its
    summary; with `api_url` it uses that server, else it starts a temporary one."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    start = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/sinorus"), "run", "--config", str(config), "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"sinorus run failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout[done.stdout.index("{") :])


def flow_costs(tmp: Path, base: str, n: int) -> None:
    """Print `sinorus run` over n pages and over an empty feed, with a temporary server and with
    one already running (started here); Prefect's files in a temporary PREFECT_HOME."""
    from sinorus.server import free_port, prefect_server

    os.environ["PREFECT_HOME"] = str(tmp / "prefect-home")

    def runs(label: str, api_url: str | None) -> list[float]:
        # The first run on a fresh PREFECT_HOME also creates Prefect's database: not counted.
        sinorus_run(write_config(tmp, base, tmp / f"warm-{label}.sqlite", "empty.xml"), api_url)
        return [
            sinorus_run(write_config(tmp, base, tmp / f"{name}-{label}.sqlite", feed), api_url)[0]
            for name, feed in [("empty", "empty.xml"), ("pages", f"feed-{n}.xml")]
        ]

    costs = {"temporary server": runs("tmp", None)}
    with prefect_server(free_port()) as api_url:
        costs["running server"] = runs("srv", api_url)
    for label, (empty, full) in costs.items():
        print(
            f"sinorus run, {label:16}: fixed (empty feed) {empty:5.1f} s; over {n} pages "
            f"{full:6.1f} s = {n / full:5.1f} pages/s end to end, "
            f"{n / max(full - empty, 1e-9):5.1f} pages/s without the fixed cost"
        )


def peak_memory(base: str, n: int, depth: int) -> None:
    """Print pages/s and peak memory (this process, and the largest pool worker) over n pages."""
    import multiprocessing

    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), base, Path(tmp) / "mem.sqlite", f"feed-{n}.xml")
        seconds, _, read, stored, _ = pipeline(config, depth)
        workers = [int(memory_mb("VmHWM", p.pid)) for p in multiprocessing.active_children()]
    print(
        json.dumps(
            {
                "pages": read,
                "stored": stored,
                "seconds": round(seconds, 1),
                "main_mb": int(memory_mb("VmHWM")),
                "worker_mb": max(workers, default=0),
            }
        )
    )


def main() -> None:
    """Print pages/s for the pipeline and for the bare loop, and their ratio; costs apart."""
    import tasks  # noqa: F401  (Prefect's environment first)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=2, help="serve each page this many times")
    parser.add_argument("--depth", type=int, default=None, help="queue depth (default: DEPTH)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each line; the best is shown")
    parser.add_argument("--flow", action="store_true", help="also time `sinorus run` both ways")
    parser.add_argument("--memory", default="", help="page counts for peak memory: 1000,10000")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)  # base URL,pages
    args = parser.parse_args()

    from config import load_settings
    from tasks.extract import warm_pool, worker_count
    from tasks.pipeline import DEPTH

    depth = DEPTH if args.depth is None else args.depth
    if args.serve:
        server, base = serve(load_pages(args.data, args.repeat))
        print(base, flush=True)
        sys.stdin.read()
        return
    if args.memory_child:
        base, n = args.memory_child.split(",")
        return peak_memory(base, int(n), depth)

    sizes = [int(s) for s in args.memory.split(",") if s]
    distinct = len(load_pages(args.data, 1))
    repeat = max([args.repeat, *(-(-s // distinct) for s in sizes)])
    child, base = serve_child(args.data, repeat)
    try:
        pages = load_pages(args.data, args.repeat)
        settings = load_settings()
        n = len(pages)
        workers = worker_count(settings.extract)
        print(
            f"{n} pages ({distinct} distinct x {args.repeat}), {os.cpu_count()} cores, {workers} workers"
        )
        start = time.perf_counter()
        for future in warm_pool(workers):
            future.result()
        print(
            f"fixed: the process pool's start (once per process): {time.perf_counter() - start:.1f} s"
        )

        retry = settings.extract.retry_below_chars
        loops = {
            "bare trafilatura loop": 0,
            f"the same, with the pipeline's retry under {retry} chars": retry,
        }
        # (depth, extract.workers): the last is the same work in this process's one thread.
        alone = "the same work, 1 thread"
        modes = {
            alone: (0, 1),
            "one batch after another": (0, 0),
            f"overlapped, depth {depth}": (depth, 0),
        }
        parallel = f"the bare loop in {workers} processes at once"
        runs: dict[str, list] = {label: [] for label in [*loops, parallel, *modes]}
        with tempfile.TemporaryDirectory() as tmp:
            feed = f"feed-{n}.xml"
            # Interleaved, so that whatever else the machine does falls on every line alike.
            for run in range(args.runs):
                for label, below in loops.items():
                    runs[label].append(bare_loop(pages, settings.extract, below))
                if workers > 1:
                    runs[parallel].append(parallel_bare(args.data, args.repeat, workers))
                for label, (d, w) in modes.items():
                    lake = Path(tmp) / f"d{d}-w{w}-{run}.sqlite"
                    config = write_config(
                        Path(tmp), base, lake, feed, f"[extract]\nworkers = {w}\n"
                    )
                    runs[label].append(pipeline(config, d, child.pid))
            bare, bare_cpu = min(runs["bare trafilatura loop"])
            print(f"best of {args.runs} runs each (all runs' pages/s in brackets):")
            for label in loops:
                seconds, cpu = min(runs[label])
                print(
                    f"{label} (1 thread, in memory): {seconds:6.1f} s  {n / seconds:6.1f} pages/s"
                    f"  ({cpu / n * 1000:.1f} ms CPU a page)  {_all(n, runs[label])}"
                )
            if runs[parallel]:
                seconds, cpu = min(runs[parallel])
                print(
                    f"{parallel}: {seconds:6.1f} s  {workers * n / seconds:6.1f} pages/s  "
                    f"ratio to bare {workers * bare / seconds:4.2f}x: what the cores gave  "
                    f"({cpu / workers / n * 1000:.1f} ms CPU a page)  "
                    f"{_all(workers * n, runs[parallel])}"
                )
            for label in modes:
                seconds, busy, read, stored, used = min(runs[label], key=lambda r: r[0])
                print(
                    f"pipeline, {label:24}: {seconds:6.1f} s  {read / seconds:6.1f} pages/s  "
                    f"ratio to bare {bare / seconds * read / n:4.2f}x  ({stored} rows)  "
                    f"{_all(read, runs[label])}"
                )
                print("  busy per stage: " + ", ".join(f"{k} {v:.1f} s" for k, v in busy.items()))
                own = (used["main"] + used["workers"]) / read  # the server stands for the sites
                print(
                    f"  CPU a page: this process {used['main'] / read * 1000:.1f} ms, workers "
                    f"{used['workers'] / read * 1000:.1f} ms (server {used['server'] / read * 1000:.1f}"
                    f" ms): {own / (bare_cpu / n):.2f}x the bare loop's, at most "
                    f"{workers * bare_cpu / n / own:.2f}x on {workers} free cores"
                )
            overlapped = min(r[0] for r in runs[f"overlapped, depth {depth}"])
            print(
                f"overlapped against the same work in 1 thread: "
                f"{min(r[0] for r in runs[alone]) / overlapped:.2f}x"
            )
            if runs[parallel]:
                gave = workers * bare / min(runs[parallel])[0]
                print(
                    f"overlapped against what the cores gave the bare loop: "
                    f"{bare / overlapped / gave:.0%} ({bare / overlapped:.2f}x of {gave:.2f}x)"
                )
            if args.flow:
                flow_costs(Path(tmp), base, n)
        for size in sizes:
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--memory-child",
                    f"{base},{size}",
                    "--depth",
                    str(depth),
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                sys.exit(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"peak memory over {result['pages']:6} pages: this process {result['main_mb']} MB, "
                f"largest worker {result['worker_mb']} MB ({result['pages'] / result['seconds']:.1f} pages/s)"
            )
    finally:
        child.stdin.close()
        child.terminate()
        child.wait()


if __name__ == "__main__":
    main()
