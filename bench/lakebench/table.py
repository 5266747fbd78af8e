"""What bench/lake.py prints: the machine and versions, then every measurement by size with the
ratio of the largest size to the smallest, and each goal met ("ok") or not ("MISS")."""

from __future__ import annotations

import os
import statistics

from bench.lakebench.prototype_tables import PROTO_WINDOW_DAYS
from bench.lakebench.shape import BATCH
from bench.timing import ratio

QUERY_GOAL = 0.5  # seconds, every view and README question
FLAT_GOAL = 1.5  # the largest size within this ratio of the smallest
START_GOAL = 2.0  # seconds, a run's work before fetching


def environment() -> list[str]:
    """Return the lines that say what machine and versions the numbers come from."""
    import platform

    import duckdb
    import pyarrow
    import rensa  # noqa: F401

    from config import load_settings
    from warehouse.db import _instance

    version = dict(
        _instance()
        .execute("select extension_name, extension_version from duckdb_extensions() where loaded")
        .fetchall()
    )
    d = load_settings().dedup
    from importlib.metadata import version as dist_version

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"load average now {load} (other work on the machine makes every time longer)",
        f"{os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__} (ducklake {version.get('ducklake')}), "
        f"pyarrow {pyarrow.__version__}, rensa {dist_version('rensa')}",
        f"dedup: {d.num_perm} permutations, {d.bands} bands of {d.num_perm // d.bands} rows -> "
        f"{2 + 2 * d.bands} keys per original (text hash, title key, {d.bands} + {d.bands} bands)",
    ]


def table(results: list[dict]) -> None:
    """Print every measurement by size, with the ratio of the largest to the smallest size."""
    sizes = [r["size"] for r in results]
    width = 44
    head = f"{'':<{width}}" + "".join(f"{n:>12,}" for n in sizes) + f"{'ratio':>9}  goal"
    print("\n" + head)
    print("-" * len(head))

    def row(label: str, values: list[float], fmt: str = "{:.3f}", goal: str = "", show_ratio=True):
        cells = "".join(f"{fmt.format(v):>12}" for v in values)
        growth = ratio(values[-1], values[0]) if show_ratio and len(values) > 1 else ""
        print(f"{label:<{width}}{cells}{growth:>9}  {goal}")

    print("lake")
    for key in ("articles", "originals", "stories", "keyword_mentions", "dedup_keys"):
        row(f"  {key} rows", [r["counts"][key] for r in results], "{:,}", show_ratio=False)
    row("  Parquet MB", [r["counts"]["disk_bytes"] / 1e6 for r in results], "{:,.0f}")
    row("  build s (generate + insert)", [r["build_s"] for r in results], "{:.0f}")
    row(
        "  load average (1 min) at start",
        [r["load_before"] for r in results],
        "{:.1f}",
        show_ratio=False,
    )
    row(
        "  load average (1 min) after children",
        [r["load_after"] for r in results],
        "{:.1f}",
        show_ratio=False,
    )

    print("queries after maintenance: median s (best)")
    names = list(results[0]["queries"])
    for name in names:
        med = [r["queries"][name]["median"] for r in results]
        verdict = "ok" if max(med) < QUERY_GOAL else "MISS"
        row(f"  {name}", med, goal=f"< {QUERY_GOAL} s {verdict}")
    print("queries before maintenance (a day of small commits): median s")
    for name in names:
        med = [r["queries_before"][name]["median"] for r in results]
        verdict = "ok" if max(med) < QUERY_GOAL else "MISS"
        row(f"  {name}", med, goal=f"< {QUERY_GOAL} s {verdict}")

    print(f"a batch of {BATCH} (median of the measured batches)")
    for key, label in (
        ("lookup", "decide_duplicates (read connection) s"),
        ("lookup_sql", "  of which dedup_candidates SQL s"),
        ("commit", "load_batch (lookup + commit) s"),
        ("commit_best", "load_batch best s"),
    ):
        values = [r["batches"][key] for r in results]
        goal = ""
        if key in ("lookup", "commit"):
            verdict = "ok" if values[-1] / values[0] <= FLAT_GOAL else "MISS"
            goal = f"<= {FLAT_GOAL}x {verdict}"
        row(f"  {label}", values, goal=goal)
    row(
        "  candidate rows returned",
        [r["batches"]["candidates"] for r in results],
        "{:.0f}",
        show_ratio=False,
    )
    row("  judge_batch s (outside the lock)", [r["batches"]["judge"] for r in results])
    row(
        "  decisions equal to in-memory DedupIndex",
        [r["batches"]["agree"] for r in results],
        "{}",
        show_ratio=False,
    )
    row(
        "  decisions different", [r["batches"]["disagree"] for r in results], "{}", show_ratio=False
    )
    for key in ("found", "missed", "wrong", "false"):
        row(
            f"  planted copies {key}",
            [r["batches"]["outcome"][key] for r in results],
            "{}",
            show_ratio=False,
        )
    print("  commit steps (write_batch's SQL timed one by one), median s")
    for name in results[0]["batches"]["steps"]:
        row(f"    {name}", [r["batches"]["steps"][name] for r in results])

    print("maintenance")
    m = [r["maintenance"] for r in results]
    row("  files before (kept / live)", [x["files_before"] for x in m], "{}", show_ratio=False)
    row("  live files before", [x["live_files_before"] for x in m], "{}", show_ratio=False)
    row(
        "  files after (kept, incl. time travel)",
        [x["files_after"] for x in m],
        "{}",
        show_ratio=False,
    )
    row("  live files after", [x["live_files_after"] for x in m], "{}", show_ratio=False)
    row("  MB before", [x["bytes_before"] / 1e6 for x in m], "{:,.0f}", show_ratio=False)
    row("  MB after", [x["bytes_after"] / 1e6 for x in m], "{:,.0f}", show_ratio=False)
    row("  files merged", [x["files_merged"] for x in m], "{}", show_ratio=False)
    row("  seconds", [r["maintain_s"] for r in results], "{:.1f}")

    print("a run's start-up (fresh process)")
    s = [r["startup"] for r in results]
    row("  ready to fetch, from spawn s", [x["wall_ready"] for x in s], "{:.2f}")
    row("    interpreter start s", [x["interpreter"] for x in s], "{:.2f}")
    row("    import prefect s", [x["marks"]["import prefect"] for x in s], "{:.2f}")
    row(
        "    import sinorus (tasks, warehouse, duckdb) s",
        [x["marks"]["import project"] for x in s],
        "{:.2f}",
    )
    for name in s[0]["steps"]:
        row(f"    {name} s", [x["steps"][name] for x in s])
    work = [sum(x["steps"].values()) for x in s]
    row(
        "  work after imports s",
        work,
        goal=f"< {START_GOAL} s {'ok' if max(work) < START_GOAL else 'MISS'}",
    )
    without = [x["wall_ready"] - x["marks"]["import prefect"] for x in s]
    row(
        "  ready, without import prefect s",
        without,
        "{:.2f}",
        goal=f"< {START_GOAL} s {'ok' if max(without) < START_GOAL else 'MISS'}",
    )
    print("a run-like process (plan + 5 batches of 50 + finish)")
    r = [x["run"] for x in results]
    row("  RSS after imports MB", [x["rss_imported_mb"] for x in r], "{:.0f}")
    row("  RSS after planning MB", [x["rss_planned_mb"] for x in r], "{:.0f}")
    peak = [x["peak_mb"] for x in r]
    row(
        "  peak RSS (VmHWM) MB",
        peak,
        "{:.0f}",
        goal=f"flat (<= {FLAT_GOAL}x) {'ok' if peak[-1] / peak[0] <= FLAT_GOAL else 'MISS'}",
    )
    row("  ru_maxrss MB (see note)", [x["ru_maxrss_mb"] for x in r], "{:.0f}")
    row("  batch commit median s", [statistics.median(x["commits"]) for x in r])
    row("  stored", [x["stored"] for x in r], "{}", show_ratio=False)

    if all("proto" in x for x in results):
        p = [x["proto"] for x in results]
        print(
            f"prototypes of the fixes (bench-only tables; near-duplicate window {PROTO_WINDOW_DAYS} days)"
        )
        row("  articles stored within the window", [x["window_articles"] for x in p], "{:,}")
        for name in p[0]["queries"]:
            med = [x["queries"][name]["median"] for x in p]
            verdict = "ok" if max(med) < QUERY_GOAL else "MISS"
            row(f"  {name}", med, goal=f"< {QUERY_GOAL} s {verdict}")
        values = [x["commit"] for x in p]
        verdict = "ok" if values[-1] / values[0] <= FLAT_GOAL else "MISS"
        row(
            "  proposed batch commit s (median; see note)",
            values,
            goal=f"<= {FLAT_GOAL}x {verdict}",
        )
        for name in p[0]["steps"]:
            if name != "total":
                row(f"    {name}", [x["steps"][name] for x in p])
        peak = [x["run_peak_mb"] for x in p]
        verdict = "ok" if peak[-1] / peak[0] <= FLAT_GOAL else "MISS"
        row(
            "  peak RSS of 5 proposed commits (fresh process) MB",
            peak,
            "{:.0f}",
            goal=f"flat (<= {FLAT_GOAL}x) {verdict}",
        )
        row("    its batch commit median s", [x["run_commit"] for x in p])
        row(
            "  candidates SQL, window = last 1,000 stored",
            [x["fixed_window_sql"] for x in p],
            goal="flat: set by the window, not the lake",
        )
        row(
            "  decisions equal to in-memory DedupIndex",
            [x["agree"] for x in p],
            "{}",
            show_ratio=False,
        )
        row("  decisions different", [x["disagree"] for x in p], "{}", show_ratio=False)
        row("  planted copies found", [x["outcome"]["found"] for x in p], "{}", show_ratio=False)
