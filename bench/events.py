"""Events at scale: the event decision of a commit on a lake of 10k, 100k or 1M stored reports,
the sentence encoder's cost per article, and the bytes events add to each stored article.

    .venv/bin/python bench/events.py                                  # 10k and 100k, ~3 min
    .venv/bin/python bench/events.py --sizes 10000,100000,1000000     # the full run

Per size, a lake made with the project's migrations holds N stored relevant articles with their
events (`article_events`, and `event_signals` for the originals), PER_DAY a day (300 by default:
a lake of 1M is older than one of 10k, not denser), built in bulk from Arrow by a first process
(bench/eventbench/synthetic.py says what the stream looks like). A fresh process then commits
`--warmup` + `--batches` batches of `--batch` new reports published after the stored ones
through `decide_events` and `write_events` in `warehouse.writer` (bench/eventbench/batches.py),
and its peak memory is read. The goal (issue 20): time and memory per article flat, the largest
size within 1.5x of the smallest. Another fresh process loads the encoder and times it per
article (bench/eventbench/encoder.py). Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eventbench.synthetic import PER_DAY  # noqa: E402
from bench.timing import clock, ratio  # noqa: E402

FLAT_GOAL = 1.5


def lake_at(folder: Path, size: int):
    """Return the bench lake of one size in the folder."""
    from warehouse import Lake

    return Lake.at(folder / f"events{size}.sqlite", commit_limit=False)


def build_size(size: int, folder: Path, args: argparse.Namespace) -> dict:
    """Return how the lake of `size` stored reports was made and its bytes per table; the new
    reports to commit are pickled beside it."""
    from bench.eventbench.batches import new_items
    from bench.eventbench.build import build, stored_bytes
    from bench.eventbench.synthetic import make_stream

    new = args.batch * (args.warmup + args.batches + 1)
    with clock() as streaming:
        stream = make_stream(size, new, args.per_day)
    built = build(lake_at(folder, size), stream) | {"stream_s": streaming.wall}
    items = new_items(stream)
    (folder / f"events{size}.pickle").write_bytes(pickle.dumps(items))
    span = -float(stream.at[0]) / 86_400
    return built | stored_bytes(lake_at(folder, size)) | {"span_days": span}


def measure_size(size: int, folder: Path, args: argparse.Namespace) -> dict:
    """Return the batches' measurements on the lake of `size` (committed into it)."""
    from bench.eventbench.batches import measure

    items = pickle.loads((folder / f"events{size}.pickle").read_bytes())
    return measure(lake_at(folder, size), items, args.batch, args.warmup, args.batches)


def in_child(mode: str, size: int, folder: Path, args: argparse.Namespace) -> dict:
    """Return what a fresh process of this script printed for one mode and size."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--size", str(size)]
    command += ["--folder", str(folder), "--per-day", str(args.per_day), "--batch", str(args.batch)]
    command += ["--warmup", str(args.warmup), "--batches", str(args.batches)]
    command += ["--repeat", str(args.repeat)] + (["--texts", str(args.texts)] if args.texts else [])
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(mode: str, size: int, folder: Path, args: argparse.Namespace) -> dict:
    """Return one mode's result in this process: 'build', 'measure' or 'encoder'."""
    if mode == "build":
        return build_size(size, folder, args)
    if mode == "measure":
        return measure_size(size, folder, args)
    from bench.eventbench.encoder import measure_encoder

    return measure_encoder(args.repeat, args.texts)


def table(results: dict[int, dict], encoder: dict | None, args: argparse.Namespace) -> list[str]:
    """Return the printed lines: each measurement by size, the largest against the smallest."""
    sizes = sorted(results)
    ms = 1000.0
    rows = [
        ("stored reports (article_events rows)", lambda r: f"{r['rows']:,}"),
        ("  of which originals (event_signals rows)", lambda r: f"{r['signal_rows']:,}"),
        ("  days they span", lambda r: f"{r['span_days']:.0f}"),
        ("build: seconds (rows made / inserted)", _build),
        ("build: rows/s made, rows/s inserted", _rates),
        ("bytes/article: article_events", lambda r: f"{r['article_events'] / r['rows']:.0f}"),
        ("bytes/article: event_signals", lambda r: f"{r['event_signals'] / r['rows']:.0f}"),
        ("bytes/article: both", lambda r: f"{_bytes(r) / r['rows']:.0f}"),
        ("candidate events loaded / batch", lambda r: f"{r['candidates_batch']:.0f}"),
        ("  their members (event_signals rows)", lambda r: f"{r['members_batch']:.0f}"),
        ("  within the window of a report", lambda r: f"{r['near_batch']:.0f}"),
        ("candidates: ms/batch (alone)", lambda r: f"{r['load_s_batch'] * ms:.0f}"),
        ("  CPU ms/batch", lambda r: f"{r['load_cpu_batch'] * ms:.0f}"),
        ("copies' lookup: ms/batch (alone)", lambda r: f"{r['lookup_s_batch'] * ms:.0f}"),
        ("decide_events: ms/article", lambda r: f"{r['decide_s'] * ms:.2f}"),
        ("  CPU ms/article", lambda r: f"{r['decide_cpu'] * ms:.2f}"),
        ("  of which candidates", lambda r: f"{r['load_s'] * ms:.2f}"),
        ("  of which copies' lookup", lambda r: f"{r['lookup_s'] * ms:.2f}"),
        ("write_events: ms/article", lambda r: f"{r['write_s'] * ms:.2f}"),
        ("commit in all: ms/article (wall)", lambda r: f"{r['total_s'] * ms:.2f}"),
        ("commit in all: CPU ms/article", lambda r: f"{r['total_cpu'] * ms:.2f}"),
        ("  first batch of the process (wall)", lambda r: f"{r['first_total_s'] * ms:.2f}"),
        ("placed new / joined / copy", _methods),
        ("Python peak of a batch (tracemalloc) MB", lambda r: f"{r['python_peak_mb']:.1f}"),
        ("process RSS before the batches MB", lambda r: f"{r['rss_ready_mb']:.0f}"),
        ("process peak (VmHWM) MB", lambda r: f"{r['peak_mb']:.0f}"),
    ]
    ratios = {
        "commit in all: ms/article (wall)": "total_s",
        "commit in all: CPU ms/article": "total_cpu",
        "decide_events: ms/article": "decide_s",
        "  CPU ms/article": "decide_cpu",
        "candidates: ms/batch (alone)": "load_s_batch",
        "  CPU ms/batch": "load_cpu_batch",
        "copies' lookup: ms/batch (alone)": "lookup_s_batch",
        "Python peak of a batch (tracemalloc) MB": "python_peak_mb",
        "process peak (VmHWM) MB": "peak_mb",
        "bytes/article: both": None,
    }
    width = 50
    head = f"{'':{width}}" + "".join(f"{s:>14,}" for s in sizes)
    lines = [
        f"events: {args.per_day:g} relevant articles a day, batches of {args.batch} new "
        f"reports ({args.warmup} warm-up, median of {args.batches})",
        head + (f"{'largest/smallest':>18}" if len(sizes) > 1 else ""),
    ]
    first, last = results[sizes[0]], results[sizes[-1]]
    for label, show in rows:
        line = f"{label:{width}}" + "".join(f"{show(results[s]):>14}" for s in sizes)
        if label in ratios and len(sizes) > 1:
            key = ratios[label]
            old, new = (first[key], last[key]) if key else (_bytes(first), _bytes(last))
            if not key:
                old, new = old / first["rows"], new / last["rows"]
            verdict = ""
            if key in ("total_s", "total_cpu", "python_peak_mb", "peak_mb"):
                verdict = " ok" if new <= FLAT_GOAL * old else " MISS"
            line += f"{ratio(new, old):>15}{verdict}"
        lines.append(line)
    lines.append(
        "(wall times wait for the CPU on a busy machine: the CPU lines are the ones to compare; "
        f"ok: the largest size within {FLAT_GOAL}x of the smallest)"
    )
    if encoder:
        lines += encoder_lines(encoder)
    return lines


def _build(r: dict) -> str:
    return f"{r['build_s']:.0f} ({r['make_s']:.0f}/{r['insert_s']:.0f})"


def _rates(r: dict) -> str:
    return f"{r['rows'] / r['make_s']:,.0f}/{r['rows'] / r['insert_s']:,.0f}"


def _bytes(r: dict) -> int:
    return r["article_events"] + r["event_signals"]


def _methods(r: dict) -> str:
    m = r["methods"]
    return f"{m['new']}/{m['joined']}/{m['copy']}"


def encoder_lines(e: dict) -> list[str]:
    """Return the encoder's lines: its load, then per article by text length."""
    lines = [
        "",
        f"encoder: import {e['import_s']:.2f} s, load {e['load_s']:.2f} s (weights and a first "
        f"encoding; {e['load_cpu']:.2f} s CPU with the import), RSS "
        f"{e['rss_before_mb']:.0f} -> {e['rss_loaded_mb']:.0f} MB, peak {e['peak_mb']:.0f} MB",
        f"{'per article, one at a time':50}{'wall ms':>10}{'CPU ms':>10}",
    ]
    for name in ("short", "long"):
        chars, texts = e[f"{name}_chars"], e[f"{name}_texts"]
        for step, label in (("embed", "embed(lead)"), ("signals", "event_signals (all)")):
            wall, cpu = e[f"{name}_{step}"]
            title = f"{name} ({texts} texts, {chars:,.0f} chars): {label}"
            lines.append(f"{title:50}{wall * 1000:>10.2f}{cpu * 1000:>10.2f}")
    return lines


def parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="stored reports, comma-separated")
    parser.add_argument("--per-day", type=float, default=PER_DAY, help="stored reports a day")
    parser.add_argument("--batch", type=int, default=200, help="new reports a commit")
    parser.add_argument("--batches", type=int, default=3, help="measured batches per size")
    parser.add_argument("--warmup", type=int, default=1, help="batches before measuring")
    parser.add_argument("--repeat", type=int, default=3, help="encoder passes (the best kept)")
    parser.add_argument("--texts", type=int, help="encode only the first N texts of each length")
    parser.add_argument("--encoder", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--json", help="also write every measurement to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    return parser


def main() -> None:
    args = parser().parse_args()
    if args.child:
        result = child(args.child, args.size, Path(args.folder), args)
        print(json.dumps(result, default=str))
        return
    started = time.perf_counter()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    with tempfile.TemporaryDirectory(prefix="sinorus-events-bench-") as tmp:
        folder = Path(tmp)
        os.environ["PREFECT_HOME"] = str(Path(tmp) / "prefect")
        os.environ.pop("PREFECT_API_URL", None)
        print(f"load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        results = {}
        for size in sizes:
            built = in_child("build", size, folder, args)
            print(f"  {size:,}: lake built ({built.get('build_s', 0):.0f} s)", flush=True)
            results[size] = built | in_child("measure", size, folder, args)
            print(f"  {size:,}: measured", flush=True)
        encoder = in_child("encoder", 0, folder, args) if args.encoder else None
    for line in table(results, encoder, args):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": results, "encoder": encoder}, default=str))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"total wall time: {time.perf_counter() - started:.0f} s; load average now {load}")


if __name__ == "__main__":
    main()
