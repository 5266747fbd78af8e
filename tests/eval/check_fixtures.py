"""Check the evaluation fixtures in tests/eval/ and print a summary.

    python tests/eval/check_fixtures.py            # checks + counts
    python tests/eval/check_fixtures.py --table    # also the duplicate-vs-seed similarity table

Checks: every relevance file parses (header, blank line, text) with known label/kind/language;
every duplicates/*.toml parses with tomllib and has the fields its `expect` needs; no text written
for sinorus copies a seed; every `of` names a seed. Exits 1 on any problem.

`read_relevance_fixture` and `read_duplicate_fixture` are the reference readers for the formats.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "seeds"
WORD = re.compile(r"\w+")
WRITTEN = "written for sinorus (sample content, not real news)"

LABELS = {"relevant", "irrelevant"}
# sport, market, un-vote, listing: both sides named side by side only (issue 12's hard negatives)
KINDS = {
    "positive", "china-only", "russia-only", "passing", "unrelated",
    "sport", "market", "un-vote", "listing",
}  # fmt: skip
LANGUAGES = {"en", "ru", "zh", "uk", "de", "fr", "es", "ja", "ko", "ar"}
HEADER_KEYS = ("label", "kind", "language", "source", "title")
# the harder set of issue 12 says why each case is labelled so, and whether it was held out
SPLITS = {"dev", "held-out"}
# issue 21: the kind of relationship a case is about (a hard negative: the kind it imitates)
TOPICS = {
    "culture", "tourism", "agriculture", "transport", "science", "energy-cargo", "finance",
    "joint-action",
}  # fmt: skip


@dataclass(frozen=True)
class RelevanceFixture:
    id: str
    label: str
    kind: str
    language: str
    source: str
    title: str
    text: str
    why: str = ""
    split: str = ""
    topic: str = ""


def read_relevance_fixture(path: Path) -> RelevanceFixture:
    """Parse `key: value` header lines, one blank line, then the article text."""
    raw = path.read_text(encoding="utf-8")
    header, sep, text = raw.partition("\n\n")
    if not sep:
        raise ValueError("no blank line after the header")
    fields: dict[str, str] = {}
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise ValueError(f"bad header line: {line!r}")
        fields[key.strip()] = value.strip()
    missing = [k for k in HEADER_KEYS if not fields.get(k)]
    if missing:
        raise ValueError(f"missing header fields: {missing}")
    fixture = RelevanceFixture(
        path.stem,
        *(fields[k] for k in HEADER_KEYS),
        text.strip(),
        fields.get("why", ""),
        fields.get("split", ""),
        fields.get("topic", ""),
    )
    if fixture.split and fixture.split not in SPLITS:
        raise ValueError(f"unknown split: {fixture.split}")
    if fixture.topic and fixture.topic not in TOPICS:
        raise ValueError(f"unknown topic: {fixture.topic}")
    if fixture.topic and not fixture.split:
        raise ValueError("a case with a topic needs a split")
    if fixture.split and not fixture.why:
        raise ValueError("a case of the harder set needs `why`")
    if (
        fixture.label not in LABELS
        or fixture.kind not in KINDS
        or fixture.language not in LANGUAGES
    ):
        raise ValueError(
            f"unknown label/kind/language: {fixture.label}/{fixture.kind}/{fixture.language}"
        )
    if (fixture.label == "relevant") != (fixture.kind == "positive"):
        raise ValueError("label and kind disagree")
    if not fixture.text:
        raise ValueError("empty text")
    return fixture


def read_duplicate_fixture(path: Path) -> dict:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    data["id"] = path.stem
    if data.get("expect") not in {"duplicate", "distinct"}:
        raise ValueError(f"expect must be duplicate or distinct, not {data.get('expect')!r}")
    if data["expect"] == "duplicate" and not str(data.get("of", "")).startswith("seed://"):
        raise ValueError("a duplicate needs `of` (seed://<stem>)")
    if data["expect"] == "distinct" and "of" in data:
        raise ValueError("a distinct fixture has no `of`")
    for key in ("title", "text"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"missing {key}")
    return data


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    toks = words(text)
    return {tuple(toks[i : i + size]) for i in range(max(1, len(toks) - size + 1))}


def seeds() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted(SEEDS_DIR.glob("*.txt"))}


def main(argv: list[str]) -> int:
    problems: list[str] = []
    seed_texts = seeds()
    seed_norm = {stem: " ".join(words(t)) for stem, t in seed_texts.items()}
    seed_sh = {stem: shingles(t) for stem, t in seed_texts.items()}
    seed_sh8 = set().union(*(shingles(t, 8) for t in seed_texts.values()))

    def copies_seed(fid: str, text: str) -> None:
        norm = " ".join(words(text))
        if norm in seed_norm.values():
            problems.append(f"{fid}: text is an exact copy of a seed")
        shared = len(shingles(text, 8) & seed_sh8)
        if shared > 2:
            problems.append(f"{fid}: shares {shared} 8-word runs with the seeds")

    def shares_with_seed(d: dict) -> None:
        # A hard distinct case declares the passage it shares (a wire lead, quotes): it must
        # share some, and still be mostly its own text (a third at most lies in the seed).
        stem = d["shares"].rsplit("seed://", 1)[-1]
        if stem not in seed_texts:
            problems.append(f"{d['id']}: shares = {d['shares']!r} names no seed")
            return
        own = shingles(d["text"])
        inside = len(own & seed_sh[stem]) / len(own)
        if not 0 < inside <= 1 / 3:
            problems.append(f"{d['id']}: {inside:.0%} of its shingles lie in {stem}")
        print(f"  {d['id']}: {inside:.0%} of its shingles lie in seed {stem}")

    # relevance
    rel = []
    for path in sorted((HERE / "relevance").glob("*.txt")):
        try:
            fx = read_relevance_fixture(path)
        except ValueError as exc:
            problems.append(f"relevance/{path.name}: {exc}")
            continue
        rel.append(fx)
        if fx.source.startswith("seed corpus "):
            stem = fx.source.removeprefix("seed corpus ")
            if seed_texts.get(stem) != fx.text:
                problems.append(f"{fx.id}: not the seed {stem} as-is")
        elif fx.source.startswith("ScrapingHub"):
            if not fx.source.endswith(", MIT"):
                problems.append(f"{fx.id}: benchmark source without licence")
        else:
            if WRITTEN not in fx.source:
                problems.append(f"{fx.id}: written file without the sample-content notice")
            copies_seed(fx.id, fx.text)
    print(f"relevance: {len(rel)} files")
    by = Counter((f.language, f.label, f.kind) for f in rel)
    for (lang, label, kind), n in sorted(by.items()):
        print(f"  {lang}  {label:<10}  {kind:<11}  {n}")
    origin = Counter(
        "seed"
        if f.source.startswith("seed corpus")
        else "benchmark"
        if f.source.startswith("ScrapingHub")
        else "written"
        for f in rel
    )
    print("  by origin:", dict(origin))
    print("  by split:", dict(Counter(f.split or "original" for f in rel)))
    print("  by topic:", dict(sorted(Counter(f.topic or "-" for f in rel).items())))
    harder = [f for f in rel if f.split]
    for lang in sorted({f.language for f in harder}):
        mine = [f for f in harder if f.language == lang]
        labels = {f.label for f in mine}
        if len(mine) < 5 or labels != LABELS:
            problems.append(f"harder set, {lang}: {len(mine)} cases, labels {sorted(labels)}")

    # duplicates
    dups = []
    for path in sorted((HERE / "duplicates").glob("*.toml")):
        try:
            dups.append(read_duplicate_fixture(path))
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"duplicates/{path.name}: {exc}")
    print(f"duplicates: {len(dups)} files", dict(Counter(d["expect"] for d in dups)))
    rows = []
    for d in dups:
        if d["expect"] == "duplicate":
            stem = d["of"].removeprefix("seed://")
            if stem not in seed_texts:
                problems.append(f"{d['id']}: of = {d['of']} names no seed")
                continue
            v, s = shingles(d["text"]), seed_sh[stem]
            inter = len(v & s)
            rows.append((d["id"], inter / len(v | s), inter / len(v), inter / len(s)))
        else:
            if WRITTEN not in d.get("note", ""):
                problems.append(f"{d['id']}: distinct fixture without the sample-content note")
            if "shares" in d:
                shares_with_seed(d)
            else:
                copies_seed(d["id"], d["text"])
    distinct = [d for d in dups if d["expect"] == "distinct"]
    worst = max(
        (
            (len(shingles(d["text"]) & s) / len(shingles(d["text"]) | s), d["id"], stem)
            for d in distinct
            for stem, s in seed_sh.items()
        ),
        default=None,
    )
    if worst:
        print(
            f"  distinct vs seeds: highest 5-shingle Jaccard {worst[0]:.3f} ({worst[1]} vs {worst[2]})"
        )
    pairs = [
        (
            len(shingles(a["text"]) & shingles(b["text"]))
            / len(shingles(a["text"]) | shingles(b["text"])),
            a["id"],
            b["id"],
        )
        for i, a in enumerate(distinct)
        for b in distinct[i + 1 :]
    ]
    if pairs:
        top = max(pairs)
        print(
            f"  distinct vs distinct: highest 5-shingle Jaccard {top[0]:.3f} ({top[1]} vs {top[2]})"
        )
    if "--table" in argv:
        print(
            "\n| fixture | Jaccard | containment (variant in seed) | containment (seed in variant) |"
        )
        print("|---|---:|---:|---:|")
        for fid, jac, c_v, c_s in rows:
            print(f"| {fid} | {jac:.3f} | {c_v:.3f} | {c_s:.3f} |")

    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
