"""Lake scaling: the DuckLake warehouse at 10k, 100k and 1M synthetic articles.

    .venv/bin/python bench/lake.py [--sizes 10000,100000,1000000] [--batches 7] [--tail 48]

For each size, a fresh lake (SQLite catalog, Parquet files) in a temporary folder is filled with
N synthetic articles in large commits through `warehouse.writer` and Arrow: canonical URLs,
titles, ~60 sources, five languages, publication dates over the two years before the run, ~60%
relevant, ~10% duplicates (`duplicate_of` set to an earlier original), ~5 keyword mentions each,
three daily columns (one source, one title, every day: their title key gathers ~730 editions),
and for every original its duplicate-index keys (`dedup_keys`). Texts are short (130-400
pseudo-words from a Zipf vocabulary); their MinHash signatures are made in bulk with
`RMinHash.from_token_sets` from the very shingle strings `fingerprint()` makes, and the keys with
the real `tasks.dedup.index_keys`; a sample is checked against `fingerprint()` and the keys
stored in the lake. Then come the seed corpus (`load_seeds`), a few dozen "planted" originals
made of real sentences (seeds, sample newsroom, evaluation texts) loaded with `load_batch`, and
a day of small commits (the monitor's batches since the last nightly maintenance).

Measured, per size:
  - each view and the README's example queries (and `sinorus trends`), best and median of 3,
    before and after maintenance (goal < 0.5 s);
  - a batch of 50 judged articles (45 fresh, 4 near-copies of planted originals, a daily
    column's next edition) through `tasks.load.load_batch`, and its `decide_duplicates` lookup
    alone; median of several batches, planted copies checked (goal: 1M within 1.5x of 10k);
    then a phase breakdown of the commit (the same SQL as `write_batch`, timed step by step);
  - `tasks.upkeep.maintain.maintain`: Parquet files and bytes before and after;
  - a run's start-up in a fresh process: imports (Prefect apart), ensure_warehouse,
    load_seeds, start_run, feed_states, plan_candidates over 50 URLs (goal < 2 s);
  - the peak memory (VmHWM) of a run-like process that plans and commits 5 batches of 50
    (goal: flat across sizes).
  - prototypes of the fixes proposed for the misses, on bench-only `proto_*` tables (trends
    without a join; a near-duplicate lookup bounded to the originals stored within 30 days,
    exact copies of any age by an 8-byte key, stored URLs by an 8-byte key, inserts without
    anti-joins), with their decisions compared to an in-memory index's (`--no-prototypes` skips).

Each size runs in its own process; everything is written under one temporary folder, removed at
the end. Nothing is written into the repository (Prefect's home is a temporary folder too).

This file is the entry point: one size's measurements in order, and the command line. The parts
are in bench/lakebench/ (its __init__ lists them); timing and memory are bench/timing.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Project modules, numpy and DuckDB are imported inside functions: the start-up child measures
# its own imports, and the generation workers are spawned processes that re-import this file.
# The bench's own parts import only the standard library at the top.
from bench.lakebench.articles import planted_articles  # noqa: E402
from bench.lakebench.batches import measure_batches  # noqa: E402
from bench.lakebench.build import build, check_sample, lake_counts, tail_commits  # noqa: E402
from bench.lakebench.children import child, run_child  # noqa: E402
from bench.lakebench.prototypes import measure_prototypes, proto_child  # noqa: E402
from bench.lakebench.queries import time_queries  # noqa: E402
from bench.lakebench.shape import BATCH  # noqa: E402
from bench.lakebench.table import environment, table  # noqa: E402
from bench.timing import clock  # noqa: E402


def measure_size(size: int, args: argparse.Namespace, folder: Path) -> dict:
    """Return every measurement of one lake size (its lake made and removed in `folder`)."""
    from datetime import UTC, datetime, timedelta

    from config import load_settings
    from tasks.assess import judge_batch
    from tasks.load import load_batch
    from tasks.seeds import read_seed_corpus
    from tasks.upkeep.maintain import maintain
    from warehouse import Lake

    settings = load_settings()
    dedup = settings.dedup
    lake = Lake.at(folder / f"lake{size}.sqlite")
    # Publication dates end 6 hours ago: with fetches up to 6 hours after publication, nothing
    # in the lake was fetched after the bench began.
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    end -= timedelta(hours=6)
    end_ts = end.replace(tzinfo=UTC).timestamp()
    result: dict = {"size": size}

    print(f"\n== {size:,} articles: building the lake in {folder}", flush=True)
    result["load_before"] = os.getloadavg()[0]
    made = build(lake, size, settings, args.workers, end_ts)
    result["build_s"] = made["build_s"]
    result["insert_s"] = made["insert_s"]
    result["bulk_commits"] = made["bulk_commits"]
    result["checked"] = check_sample(lake, made["samples"], dedup)
    print(
        f"  built in {made['build_s']:.0f} s (inserts {made['insert_s']:.0f} s, "
        f"{made['bulk_commits']} commits); {result['checked']} sampled fingerprints and key sets "
        "equal fingerprint() / index_keys()",
        flush=True,
    )

    now = datetime.now(UTC).replace(tzinfo=None)
    planted = planted_articles(now)
    judged_planted = judge_batch(planted, settings)
    loaded = load_batch(lake, judged_planted, [], "planted", 24.0, dedup)
    originals = {i.article.candidate.canonical_url for i in loaded.assessed if i.duplicate is None}
    if len(originals) != len(planted):
        sys.exit(f"only {len(originals)} of {len(planted)} planted articles are originals")
    result["tail_s"] = tail_commits(lake, args.tail, end_ts, dedup)
    result["counts"] = lake_counts(lake)
    c = result["counts"]
    print(
        f"  {c['articles']:,} articles ({c['originals']:,} originals, {c['stories']:,} stories), "
        f"{c['keyword_mentions']:,} mentions, {c['dedup_keys']:,} dedup keys "
        f"({c['dedup_keys'] / c['originals']:.1f} per original); {c['disk_files']} Parquet files, "
        f"{c['disk_bytes'] / 1e6:,.0f} MB; {args.tail} small commits in {result['tail_s']:.1f} s",
        flush=True,
    )

    stored = judge_batch(read_seed_corpus(), settings) + judged_planted
    reference, result["batches"] = measure_batches(
        lake, settings, planted, stored, args.batches, args.warmup, args.phases
    )
    b = result["batches"]
    print(
        f"  batch of {BATCH}: lookup {b['lookup']:.3f} s (SQL {b['lookup_sql']:.3f} s, "
        f"{b['candidates']:.0f} candidate rows), load_batch {b['commit']:.3f} s "
        f"(best {b['commit_best']:.3f}); planted copies {b['outcome']}; decisions equal to an "
        f"in-memory DedupIndex's: {b['agree']} of {b['agree'] + b['disagree']}",
        flush=True,
    )
    result["queries_before"] = time_queries(lake, args.repeat)
    print(
        "  queries before maintenance: slowest "
        + ", ".join(
            f"{name} {r['median']:.3f} s"
            for name, r in sorted(
                result["queries_before"].items(), key=lambda kv: -kv[1]["median"]
            )[:3]
        ),
        flush=True,
    )

    with clock() as maintaining:
        report = maintain(lake, settings.warehouse.keep_snapshots_days)
    result["maintain_s"] = maintaining.wall
    result["maintenance"] = report.as_dict()
    result["disk_files_after"] = sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))
    print(
        f"  maintenance {result['maintain_s']:.1f} s: files {report.files_before} -> "
        f"{report.files_after} (live {report.live_files_before} -> {report.live_files_after}), "
        f"{report.bytes_before / 1e6:,.0f} -> {report.bytes_after / 1e6:,.0f} MB",
        flush=True,
    )
    result["queries"] = time_queries(lake, args.repeat)

    known = folder / f"known{size}.json"
    known.write_text(json.dumps(sorted(originals)))
    result["startup"] = run_child("startup", lake, known)
    result["run"] = run_child("run", lake, known)
    s, r = result["startup"], result["run"]
    print(
        f"  start-up: ready {s['wall_ready']:.2f} s after spawn (import prefect "
        f"{s['marks']['import prefect']:.2f} s, project {s['marks']['import project']:.2f} s, "
        f"work {sum(s['steps'].values()):.2f} s); run of 5 batches: peak {r['peak_mb']:.0f} MB, "
        f"commits median {statistics.median(r['commits']):.3f} s",
        flush=True,
    )
    result["load_after"] = os.getloadavg()[0]
    if args.prototypes:
        result["proto"] = measure_prototypes(
            lake, settings, planted, reference, args.proto_batches, args.repeat
        )
        p = result["proto"]
        print(
            f"  prototypes (tables made in {p['build_s']:.0f} s): batch commit {p['commit']:.3f} s, "
            f"decisions equal to the in-memory index's {p['agree']} of "
            f"{p['agree'] + p['disagree']}; slowest query "
            + ", ".join(
                f"{name} {r['median']:.3f} s"
                for name, r in sorted(p["queries"].items(), key=lambda kv: -kv[1]["median"])[:2]
            ),
            flush=True,
        )
    shutil.rmtree(lake.data_path, ignore_errors=True)
    for path in folder.glob(f"lake{size}.sqlite*"):
        path.unlink()
    return result


def main() -> None:
    """Print the lake's numbers at each size, and the ratios of the largest to the smallest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batches", type=int, default=7, help="measured batches per size")
    parser.add_argument("--warmup", type=int, default=1, help="batches before measuring")
    parser.add_argument("--phases", type=int, default=3, help="batches timed step by step")
    parser.add_argument("--tail", type=int, default=48, help="small commits before maintenance")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--prototypes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the proposed fixes on bench-only tables",
    )
    parser.add_argument(
        "--proto-batches", type=int, default=5, help="batches committed as proposed"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        mode, catalog, known = args.child
        proto_child(catalog) if mode == "proto" else child(mode, catalog, known)
        return
    if args.one:
        import faulthandler

        faulthandler.enable()  # a crash in DuckDB shows where it happened
        result = measure_size(args.one, args, Path(args.folder))
        Path(args.folder, f"result{args.one}.json").write_text(json.dumps(result, default=str))
        return

    started = time.perf_counter()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    with tempfile.TemporaryDirectory(prefix="sinorus-lake-bench-") as tmp:
        # Prefect's home (its settings, any database) in the temporary folder, not the project.
        os.environ["PREFECT_HOME"] = str(Path(tmp) / "prefect")
        os.environ.pop("PREFECT_API_URL", None)
        for line in environment():
            print(line)
        results = []
        for size in sizes:
            # Each size in its own process: its memory, its DuckDB, nothing carried over.
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--one",
                str(size),
                "--folder",
                tmp,
            ]
            command += [
                f"--{k.replace('_', '-')}={getattr(args, k)}"
                for k in (
                    "batches",
                    "warmup",
                    "phases",
                    "tail",
                    "repeat",
                    "workers",
                    "proto_batches",
                )
            ]
            command.append("--prototypes" if args.prototypes else "--no-prototypes")
            with clock() as measuring:
                subprocess.run(command, check=True)
            results.append(json.loads(Path(tmp, f"result{size}.json").read_text()))
            results[-1]["wall_s"] = measuring.wall
            print(f"  ({size:,}: {results[-1]['wall_s']:.0f} s in all)", flush=True)
        table(results)
        print(
            "\nnotes: times are wall seconds on this machine; query times include fetching the "
            "result as Arrow. Peak memory is VmHWM of the child: its ru_maxrss also counts the "
            "parent's memory at fork (Linux keeps the larger across exec). The proposed commit "
            "writes both the current tables and the prototype ones (proto_keys, proto_mentions, "
            "proto_text, proto_urls, proto_fingerprints), so it overstates the proposal by three "
            "inserts."
        )
        print(f"total wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
