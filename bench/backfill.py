"""A 1,000-URL backfill against a local server, by 1 worker and by N workers of a process pool.

    uv run python bench/backfill.py [--data DIR] [--urls 1000] [--workers 1,2] [--per-host 8]
                                    [--delay 0] [--server postgres|sqlite]

Real news pages (the ScrapingHub benchmark, MIT, from ../shared/data by default) are served on
loopback under distinct URLs, listed in a URL file, and backfilled into a fresh SQLite-catalog
lake for each worker count: `sinorus backfill --source urls --workers N`. One worker is the plain
command (one process, no pool); N > 1 are runs of the `backfill/worker` deployment on a process
pool of N `prefect worker` processes, against a Prefect server of this script's own (its start-up
is reported apart, not counted): `prefect server start` with its database on a throwaway
PostgreSQL cluster (devtools/pg_cluster.py: what a pool's server should be), or `--server sqlite`
(the default where PostgreSQL's binaries are missing); never the project's .prefect, which other
work on the machine may use. With PREFECT_API_URL set, that server instead. Printed for each:
wall time, URLs/s, the ratio to one worker, and each worker's peak memory (the peak of its
process tree's summed RSS, extraction pool included, sampled every 0.2 s). Politeness is per
host and everything here is one host: the flags set it (with a delay, each of N workers waits
N times it: `politeness_share` in tasks/sharing.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from bench.timing import memory_mb  # noqa: E402

PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "sinorus"


def tree_rss(pid: int) -> float:
    """Return the summed resident memory (MB) of a process and all its descendants."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            rss = memory_mb("VmRSS", current)
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += rss
        todo += [int(c) for c in children]
    return total


class PeakMemory:
    """Samples the process trees of some pids in a thread; `peaks` is each one's maximum."""

    def __init__(self, pids: list[int]) -> None:
        self.peaks = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], tree_rss(pid))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def prefect(args: list[str], env: dict) -> None:
    """Run a `prefect` command; exit with its output if it fails."""
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"prefect {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextmanager
def prefect_api(kind: str, tmp: Path) -> Iterator[str]:
    """Yield the API URL of the server the pool shares: PREFECT_API_URL's, else a fresh one."""
    from sinorus.server import free_port, prefect_server

    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
    elif kind == "postgres":
        from devtools.pg_cluster import postgres_cluster, prefect_server_on

        with (
            postgres_cluster() as cluster,
            prefect_server_on(cluster, "prefect", tmp / "prefect-server") as api_url,
        ):
            yield api_url
    else:
        with prefect_server(free_port()) as api_url:  # its database in PREFECT_HOME
            yield api_url


def backfill(workers: int, urls: Path, tmp: Path, args, env: dict, pool: list) -> dict:
    """Return wall seconds, the summary and peak memory per worker of one backfill."""
    config = tmp / f"bench-{workers}.toml"
    config.write_text(
        f'[warehouse]\ncatalog = "{tmp / f"w{workers}.sqlite"}"\ndata_path = ""\n'
        "commit_limit = true\n"
        f"[fetch]\nallow_private_hosts = true\nper_host_concurrency = {args.per_host}\n"
        f"per_host_delay_seconds = {args.delay}\n"
        '[backfill]\nundated = "sighting"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "sinorus.cli", "backfill", "--since", "1990-01-01"]
    command += ["--until", "2030-12-31", "--source", "urls", "--urls", str(urls)]
    command += ["--workers", str(workers), "--config", str(config), "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # One worker is the command's own process; more are the pool's worker processes.
    watched = [process.pid] if workers == 1 else [w.pid for w in pool[:workers]]
    with PeakMemory(watched) as memory:
        out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        sys.exit(f"backfill with {workers} workers failed:\n{err[-3000:]}")
    return {"seconds": seconds, "summary": json.loads(out), "peaks": list(memory.peaks.values())}


def main() -> None:
    """Print URLs/s with 1 and N workers, the ratio, and peak memory per worker."""
    from devtools.pg_cluster import binaries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "extraction-benchmark"
    )
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2,4")
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument(
        "--server",
        choices=["postgres", "sqlite"],
        default="postgres" if binaries() else "sqlite",
        help="the Prefect server's database (default: postgres where its binaries are installed)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    from throughput import load_pages, serve

    import tasks  # noqa: F401  (Prefect's environment first)

    distinct = len(list((args.data / "html").glob("*.html.gz")))
    pages = load_pages(args.data, -(-args.urls // distinct))
    paths = list(pages)[: args.urls]
    results = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        # Prefect's own files (and a SQLite server's database) here, not in the project's .prefect.
        os.environ["PREFECT_HOME"] = str(tmp / "prefect-home")
        started = time.perf_counter()
        with prefect_api(args.server, tmp) as api_url:
            server_start = time.perf_counter() - started
            env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(ROOT)}
            env.update(SINORUS_HOME=str(ROOT), PREFECT_LOGGING_LEVEL="WARNING")
            env["PREFECT_WORKER_QUERY_SECONDS"] = "1"
            started = time.perf_counter()
            prefect(["work-pool", "create", POOL, "--type", "process", "--overwrite"], env)
            prefect(["deploy", "--all", "--prefect-file", "prefect.yaml"], env)
            pool = [
                subprocess.Popen(
                    [PREFECT, "worker", "start", "--pool", POOL, "--name", f"bench-{i}"]
                    + ["--limit", "1"],
                    cwd=tmp,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                for i in range(max(counts))
            ]
            setup = time.perf_counter() - started
            try:
                for workers in counts:
                    # Distinct URLs per run: each backfill is a new job on a new lake.
                    server, base = serve({p: pages[p] for p in paths})
                    urls = tmp / f"urls-{workers}.txt"
                    urls.write_text("\n".join(base + p for p in paths), encoding="utf-8")
                    results[workers] = backfill(workers, urls, tmp, args, env, pool)
                    server.shutdown()
                    load = max(load, os.getloadavg()[0])
            finally:
                for worker in pool:
                    worker.terminate()
                for worker in pool:
                    worker.wait(timeout=30)

    print(
        f"{len(paths)} URLs ({distinct} distinct pages), one host, {args.per_host} at once, "
        f"{args.delay} s apart; {os.cpu_count()} cores, 1-min load average up to {load:.1f} "
        "(shared: other work on the machine skews these); Prefect server on "
        f"{args.server} (start-up {server_start:.1f} s), pool set-up (deploy, {max(counts)} "
        f"workers) {setup:.1f} s: neither counted"
    )
    base_rate = None
    for workers, result in results.items():
        rate = len(paths) / result["seconds"]
        base_rate = base_rate or rate
        summary = result["summary"]
        peaks = ", ".join(f"{peak:.0f}" for peak in result["peaks"])
        print(
            f"{workers} worker(s): {result['seconds']:.1f} s, {rate:.1f} URLs/s, "
            f"×{rate / base_rate:.2f} of one; peak MiB per worker [{peaks}]; "
            f"fetched {summary['pages_fetched']}, stored {summary['stored']}, "
            f"status {summary['status']}"
        )


if __name__ == "__main__":
    main()
