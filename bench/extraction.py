"""Extraction quality and speed: sinorus's worker (tasks/extract_worker.extract_fields: fast
trafilatura favouring precision, a precise second try below `retry_below_chars`, the date
witnesses) against bare trafilatura, on the 181 real pages of the ScrapingHub article-extraction
benchmark.

    uv run python bench/extraction.py [--data DIR] [--repeat N] [--retry 250,500] [--explore]
        [--worst N]

F1 is the benchmark's own measure (its evaluate.py, re-implemented here): word 4-gram shingles of
the extracted text against the gold article body, precision and recall per page (normalised so
that a long page weighs no more than a short one), averaged over the pages, F1 of the averages.
Speed is pages/s in this one process (no pool), best of `--repeat` passes; the order of the
variants alternates between passes so that a busy neighbour on a shared machine hurts each alike,
and pages per CPU second of the process ("cpu p/s") are printed too: they hardly move when the
neighbours are busy, wall-clock pages/s do.
`--explore` adds trafilatura's other settings; `--worst N` lists the N pages where the last
variant loses most F1, with precision and recall, beside bare fast trafilatura.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import clock  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction-benchmark"
TOKEN = re.compile(r"\w+", re.UNICODE)
URL = "https://bench.invalid/{}.html"


def shingles(text: str, n: int = 4) -> Counter:
    """Return the multiset of the text's word n-grams (one short text: its single n-gram)."""
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def tp_fp_fn(gold: str, extracted: str) -> tuple[float, float, float]:
    """Return true positive, false positive and false negative shingles, normalised to sum 1."""
    true, pred = shingles(gold), shingles(extracted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def f1_score(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Return (F1, precision, recall) as the benchmark computes them over pages."""

    def ratio(a: float, b: float, other: float) -> float:
        if b == other == 0:
            return 1.0
        return 0.0 if a == b == 0 else a / (a + b)

    precisions = [ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0]
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    return 2 * precision * recall / (precision + recall), precision, recall


def page_scores(gold: str, extracted: str) -> tuple[float, float, float]:
    """Return one page's (F1, precision, recall) from its shingle counts."""
    tp, fp, fn = tp_fp_fn(gold, extracted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def bare(fast: bool, **focus: bool) -> Callable[[bytes, str], str]:
    """Return a function giving bare trafilatura's text for a page (the worker's settings, and
    favor_precision or favor_recall if given)."""
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    def run(html: bytes, url: str) -> str:
        tree = load_html(html)
        document = bare_extraction(
            tree, url=url, with_metadata=True, fast=fast, include_comments=False, **focus
        )
        return (document.text or "") if document is not None else ""

    return run


def sinorus(retry_below: int) -> Callable[[bytes, str], str]:
    """Return a function giving the worker's text for a page."""
    from tasks.extract_worker import extract_fields

    def run(html: bytes, url: str) -> str:
        fields = extract_fields(html, url, True, False, retry_below)
        return fields["text"] if fields else ""

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--retry", default="500", help="retry_below_chars values to try")
    parser.add_argument("--explore", action="store_true", help="also trafilatura's other modes")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    args = parser.parse_args()
    gold = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()) for key in gold
    }
    variants: dict[str, Callable[[bytes, str], str]] = {
        "trafilatura fast=True (bare)": bare(True),
        "trafilatura fast=False (bare, precise)": bare(False),
        "trafilatura fast=True favor_precision (bare)": bare(True, favor_precision=True),
    }
    if args.explore:
        variants["trafilatura fast=True favor_recall (bare)"] = bare(True, favor_recall=True)
        variants["trafilatura fast=False favor_precision (bare)"] = bare(
            False, favor_precision=True
        )
    variants["sinorus worker, no second try (fast)"] = sinorus(0)
    for value in (int(v) for v in args.retry.split(",") if v):
        variants[f"sinorus worker, second try below {value} chars"] = sinorus(value)
    for run in variants.values():  # imports and lazy set-up out of the timing
        run(next(iter(pages.values())), URL.format("warm"))
    texts: dict[str, dict[str, str]] = {}
    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    names = list(variants)
    for n in range(args.repeat):
        for name in names if n % 2 == 0 else reversed(names):
            with clock() as took:
                texts[name] = {
                    key: variants[name](html, URL.format(key)) for key, html in pages.items()
                }
            best[name] = min(best.get(name, took.wall), took.wall)
            best_cpu[name] = min(best_cpu.get(name, took.cpu), took.cpu)
    baseline, baseline_cpu = best[names[0]], best_cpu[names[0]]
    print(f"{len(pages)} pages, best of {args.repeat} passes, one process")
    print(
        f"{'variant':52} {'F1':>6} {'prec':>6} {'rec':>6} {'pages/s':>8} {'vs bare':>8} "
        f"{'cpu p/s':>8} {'vs bare':>8}"
    )
    for name in names:
        counts = [tp_fp_fn(gold[key]["articleBody"], texts[name][key]) for key in pages]
        f1, precision, recall = f1_score(counts)
        print(
            f"{name:52} {f1:6.3f} {precision:6.3f} {recall:6.3f} {len(pages) / best[name]:8.1f} "
            f"{baseline / best[name]:8.2f} {len(pages) / best_cpu[name]:8.1f} "
            f"{baseline_cpu / best_cpu[name]:8.2f}"
        )
    first = texts["trafilatura fast=True favor_precision (bare)"]  # the worker's first pass
    for value in (int(v) for v in args.retry.split(",") if v):
        tried = sum(len(text) < value for text in first.values())
        print(f"second try below {value} chars: {tried} pages (the precision pass came out short)")
    if args.worst:
        worst(gold, pages, texts[names[0]], texts[names[-1]], names[-1], args.worst)


def worst(gold: dict, pages: dict, bare_texts: dict, texts: dict, name: str, count: int) -> None:
    """Print the pages where the variant's F1 is lowest: its precision and recall, bare fast
    trafilatura's beside it, and the text lengths (extracted/bare/gold characters)."""
    scores = {key: page_scores(gold[key]["articleBody"], texts[key]) for key in pages}
    print(f"\n{count} worst pages for {name} (F1 P R, bare fast F1 P R, chars got/bare/gold)")
    for key in sorted(scores, key=lambda key: scores[key][0])[:count]:
        ours, theirs = scores[key], page_scores(gold[key]["articleBody"], bare_texts[key])
        sizes = (len(texts[key]), len(bare_texts[key]), len(gold[key]["articleBody"]))
        print(
            f"{key[:12]}  {' '.join(f'{v:.2f}' for v in ours)}  "
            f"{' '.join(f'{v:.2f}' for v in theirs)}  {'/'.join(map(str, sizes))}"
        )


if __name__ == "__main__":
    main()
