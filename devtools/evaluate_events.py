"""Score the event assignment on the labelled reports in tests/eval/events/.

    python -m devtools.evaluate_events             # figures per split; exit 1 below the floors
    python -m devtools.evaluate_events --sweep     # B-cubed F1 on dev over thresholds and windows

Each split is run on its own, in publication order, from no active event (the events of one split
never meet the other's). Printed: B-cubed precision, recall and F1; the share of same-event pairs
in two languages that end in one event; the confusable pairs (tests/eval/events/confusable.toml)
that were merged; and B-cubed per language (each report's cluster and gold event counted whole).
`make eval` (devtools/evaluate.py) prints the same and holds each split to the [events] floors of
tests/eval/floors.toml.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

from config import load_settings
from tasks.dedup import DedupIndex, fingerprint
from tasks.event_signals import EventSignals, embed, event_signals, lead
from tasks.events import THRESHOLD, WEIGHTS, WINDOW, ActiveEvents, Weights, assign

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "eval" / "events"
WRITTEN = "written for sinorus (sample content, not real news)"
HEADER_KEYS = ("event", "kind", "language", "outlet", "published", "source", "title", "split")
KINDS = {"meeting", "call", "signing", "exercise", "vote", "data-release", "remarks"}
LANGUAGES = {"en", "ru", "zh", "uk", "de", "fr", "es", "ja", "ko", "ar"}
SPLITS = ("dev", "held-out")
# The bar for each split: the [events] floors of tests/eval/floors.toml, which only
# `make eval-update` moves, may not be below it (tests/test_eval.py checks).
FLOORS = {"f1": 0.9, "precision": 0.9, "recall": 0.9, "confusable_merged": 0}
# What floors.toml pins of a split's figures; confusable_merged is a ceiling.
PINNED = ("precision", "recall", "f1", "cross_language", "confusable_merged")
CEILINGS = ("confusable_merged",)


@dataclass(frozen=True)
class EventFixture:
    id: str
    event: str
    kind: str
    language: str
    outlet: str
    published: datetime
    source: str
    title: str
    text: str
    split: str
    why: str = ""


def read_event_fixture(path: Path) -> EventFixture:
    """Parse `key: value` header lines, one blank line, then the report's text."""
    header, sep, text = path.read_text(encoding="utf-8").partition("\n\n")
    if not sep:
        raise ValueError(f"{path.name}: no blank line after the header")
    fields = {}
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"{path.name}: header line without a colon: {line!r}")
        fields[key.strip()] = value.strip()
    missing = [k for k in HEADER_KEYS if not fields.get(k)]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    fields["split"] = "held-out" if fields["split"] == "heldout" else fields["split"]
    published = datetime.fromisoformat(fields.pop("published"))
    problems = [
        f"kind {fields['kind']!r}" * (fields["kind"] not in KINDS),
        f"language {fields['language']!r}" * (fields["language"] not in LANGUAGES),
        f"split {fields['split']!r}" * (fields["split"] not in SPLITS),
        "a publication time without its offset" * (published.tzinfo is None),
        f"source {fields['source']!r}" * (fields["source"] != WRITTEN),
        "no text" * (not text.strip()),
    ]
    if any(problems):
        raise ValueError(f"{path.name}: " + "; ".join(p for p in problems if p))
    return EventFixture(id=path.stem, published=published, text=text.strip(), **fields)


def load_fixtures(folder: Path = FOLDER) -> list[EventFixture]:
    """Return every report of the set, by file name."""
    return [read_event_fixture(p) for p in sorted(folder.glob("*.txt"))]


def confusable_pairs(folder: Path = FOLDER) -> list[tuple[str, str]]:
    """Return the pairs of event ids that must never merge."""
    with (folder / "confusable.toml").open("rb") as f:
        return [(a, b) for a, b, *_ in tomllib.load(f)["pairs"]]


def signals_of(fixtures: Iterable[EventFixture]) -> dict[str, EventSignals]:
    """Return each report's signals (its leads embedded in one batch)."""
    fixtures = list(fixtures)
    vectors = embed([lead(f.title, f.text) for f in fixtures])
    return {
        f.id: event_signals(f.id, f.title, f.text, f.language, f.published, vector)
        for f, vector in zip(fixtures, vectors, strict=True)
    }


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float, float]:
    """Return B-cubed (precision, recall, F1): per item, the share of its predicted cluster in its
    gold event and of its gold event in its predicted cluster, averaged over the items."""
    both: Counter[tuple[str, str]] = Counter((gold[k], predicted[k]) for k in gold)
    gold_size, predicted_size = Counter(gold.values()), Counter(predicted[k] for k in gold)
    precision = sum(n * n / predicted_size[p] for (_, p), n in both.items()) / len(gold)
    recall = sum(n * n / gold_size[g] for (g, _), n in both.items()) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def cross_language(fixtures: list[EventFixture], predicted: Mapping[str, str]) -> tuple[int, int]:
    """Return (found, all): same-event pairs of reports in two languages, and those put together."""
    pairs = [
        (a, b)
        for a, b in combinations(fixtures, 2)
        if a.event == b.event and a.language != b.language
    ]
    return sum(predicted[a.id] == predicted[b.id] for a, b in pairs), len(pairs)


def merged(
    fixtures: list[EventFixture], predicted: Mapping[str, str], pairs: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Return the confusable pairs some predicted event holds reports of both of."""
    events: dict[str, set[str]] = defaultdict(set)
    for f in fixtures:
        events[predicted[f.id]].add(f.event)
    return [(a, b) for a, b in pairs if any({a, b} <= held for held in events.values())]


def run_split(
    fixtures: list[EventFixture],
    signals: Mapping[str, EventSignals],
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
    weights: Weights = WEIGHTS,
) -> dict[str, str]:
    """Return each report's predicted event, assigned in publication order from no events."""
    ordered = sorted(fixtures, key=lambda f: (f.published, f.id))
    done = assign([signals[f.id] for f in ordered], ActiveEvents(), threshold, window, weights)
    return {a.key: a.event_id for a in done}


def score(
    fixtures: list[EventFixture], predicted: Mapping[str, str], pairs: list[tuple[str, str]]
) -> dict[str, float]:
    """Return the figures of one run."""
    precision, recall, f1 = bcubed({f.id: f.event for f in fixtures}, predicted)
    found, total = cross_language(fixtures, predicted)
    return {
        "reports": len(fixtures),
        "events": len({f.event for f in fixtures}),
        "predicted": len(set(predicted.values())),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "cross_found": found,
        "cross_pairs": total,
        "cross_language": found / total if total else 1.0,
        "confusable_merged": len(merged(fixtures, predicted, pairs)),
    }


def dedup_flags(fixtures: list[EventFixture]) -> list[tuple[str, str]]:
    """Return the reports the project's duplicate finder takes for a copy of an earlier one
    (none may be: reports of one event by different outlets are not copies)."""
    settings = load_settings().dedup
    index, flags = DedupIndex(settings), []
    for f in sorted(fixtures, key=lambda f: (f.published, f.id)):
        fp = fingerprint(f"{f.title}\n{f.text}", f.title, f.outlet, f.published, settings)
        if (found := index.match(fp)) is not None:
            flags.append((f.id, found.of))
        index.add(f.id, fp)
    return flags


def floors(path: Path = ROOT / "tests" / "eval" / "floors.toml") -> dict[str, float]:
    """Return the [events] floors of floors.toml."""
    with path.open("rb") as f:
        return tomllib.load(f)["events"]


def below(figures: dict[str, float], limits: dict[str, float]) -> list[str]:
    """Return what falls short of the floors, figures rounded to 4 places as they are pinned
    (confusable_merged is a ceiling)."""
    out = [
        f"{k} {figures[k]:.3f} < {v}"
        for k, v in limits.items()
        if k not in CEILINGS and round(figures[k], 4) < v
    ]
    if figures["confusable_merged"] > limits["confusable_merged"]:
        out.append(f"confusable pairs merged: {figures['confusable_merged']}")
    return out


@dataclass(frozen=True)
class Evaluation:
    """The event assignment on the labelled set: each split's figures, the lines printed, and
    the reports the duplicate finder took for a copy of another (it may take none)."""

    figures: dict[str, dict[str, float]]
    lines: list[str] = field(default_factory=list)
    copies: list[tuple[str, str]] = field(default_factory=list)

    def pinned(self) -> dict[str, float]:
        """Return the floors `make eval-update` pins: each figure's worst over the splits."""
        worst = {}
        for key in PINNED:
            values = [figures[key] for figures in self.figures.values()]
            worst[key] = max(values) if key in CEILINGS else round(min(values), 4)
        return worst

    def problems(self, limits: dict[str, float]) -> list[str]:
        """Return what falls short of the floors, split by split, and every report taken for a
        copy (an empty list when all hold)."""
        out = [f"{split}: {x}" for split, fig in self.figures.items() for x in below(fig, limits)]
        return out + [f"taken for a duplicate: {a} of {b}" for a, b in self.copies]


def evaluate(threshold: float = THRESHOLD, window: timedelta = WINDOW) -> Evaluation:
    """Return the event assignment's figures on each split of the labelled set, and its lines."""
    fixtures = load_fixtures()
    signals, pairs = signals_of(fixtures), confusable_pairs()
    lines = [f"threshold {threshold}, window {window.days} days, {WEIGHTS}"]
    figures = {}
    for split in SPLITS:
        part = [f for f in fixtures if f.split == split]
        predicted = run_split(part, signals, threshold, window)
        figures[split] = found = score(part, predicted, pairs)
        lines.append(
            f"{split:9} {found['reports']} reports of {found['events']} events -> "
            f"{found['predicted']}: B-cubed P {found['precision']:.3f} "
            f"R {found['recall']:.3f} F1 {found['f1']:.3f}; cross-language pairs "
            f"{found['cross_found']}/{found['cross_pairs']}; confusable pairs merged "
            f"{found['confusable_merged']}"
        )
        lines += [f"  merged: {a} + {b}" for a, b in merged(part, predicted, pairs)]
        for language in sorted({f.language for f in part}):
            ids = {f.id: f.event for f in part if f.language == language}
            p, r, f1 = per_language(part, predicted, ids)
            lines.append(f"  {language}: {len(ids):2} reports  P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    copies = dedup_flags(fixtures)
    lines.append(
        f"taken for duplicates by tasks/dedup.py: {len(copies)} of {len(fixtures)} reports"
    )
    return Evaluation(figures, lines, copies)


def sweep(fixtures: list[EventFixture], signals: Mapping[str, EventSignals]) -> None:
    """Print dev B-cubed F1 and confusable merges over thresholds, windows and weightings."""
    dev = [f for f in fixtures if f.split == "dev"]
    pairs = confusable_pairs()
    variants = {
        "chosen": WEIGHTS,
        "cosine only": Weights(0, 0, 0, 0, 0, 0),
        "no conflicts": replace(WEIGHTS, other_day=0, other_occasion=0),
        "no agreement": replace(WEIGHTS, actors=0, places=0, numbers=0, same_day=0),
    }
    for name, weights in variants.items():
        for days in (3, 7, 14, 10_000):
            cells = []
            for t in [x / 100 for x in range(40, 96, 5)]:
                found = score(dev, run_split(dev, signals, t, timedelta(days=days), weights), pairs)
                cells.append(f"{t:.2f}:{found['f1']:.3f}/{found['confusable_merged']}")
            print(f"{name:13} {days:>5}d  " + " ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="F1 on dev over thresholds")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--window-days", type=float, default=WINDOW.total_seconds() / 86400)
    args = parser.parse_args(argv)
    if args.sweep:
        fixtures = load_fixtures()
        sweep(fixtures, signals_of(fixtures))
        return 0
    found = evaluate(args.threshold, timedelta(days=args.window_days))
    print("\n".join(found.lines))
    failed = found.problems(floors())
    for line in failed:
        print(f"BELOW FLOOR {line}")
    return 1 if failed else 0


def per_language(
    fixtures: list[EventFixture], predicted: Mapping[str, str], ids: Mapping[str, str]
) -> tuple[float, float, float]:
    """Return B-cubed over the reports `ids`, their clusters and gold events counted whole."""
    gold = {f.id: f.event for f in fixtures}
    cluster = Counter(predicted.values())
    event = Counter(gold.values())
    both = Counter((gold[k], predicted[k]) for k in gold)
    precision = sum(both[gold[k], predicted[k]] / cluster[predicted[k]] for k in ids) / len(ids)
    recall = sum(both[gold[k], predicted[k]] / event[gold[k]] for k in ids) / len(ids)
    return precision, recall, 2 * precision * recall / (precision + recall)


if __name__ == "__main__":
    sys.exit(main())
