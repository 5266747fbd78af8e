"""Dedup scaling: per-article duplicate-detection time and memory with 10k, 100k and 1M stored
signatures (synthetic), and the restart path that rebuilds the index from the warehouse.

    uv run python bench/dedup.py [--sizes 10000,100000,1000000] [--quick] [--queries 1000]

Stored articles are synthetic: words drawn from a Zipf vocabulary of 50,000 pseudo-words,
~600 words per article (log-normal, 250 to 2,000), 1,000 articles a day, of which 20 are daily
columns (same source, same title, an 80-word templated lead whose figures change), so that the
LSH meets more look-alike leads as the warehouse grows. Their signatures are made in bulk with
`RMinHash.from_token_sets` under `MINHASH_SEED` and the configured `num_perm`, from the very
shingle strings `fingerprint()` makes (checked byte for byte on every near-duplicate's original),
in two worker processes, and written to one DuckDB warehouse per size (text left empty).

Per size, a fresh process rebuilds the index from that warehouse as `tasks.plan.dedup_index`
does (the `dedup_index` query, `stored_fingerprint`, `DedupIndex.add`; timed as read,
deserialise and index build), measures its memory, then deduplicates the next day's articles as
`tasks.assess` does (`fingerprint`, `match`, `add` when original): mostly fresh articles, the 20
columns, and 10% near-duplicates of stored articles (reformatted, a sentence rewritten, a
paragraph appended, cut to its first half). It prints the time per article, the candidates the
LSH returned, recall and false matches, and the 1M / 10k ratio of the time per article.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import math
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from itertools import repeat
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The project is imported inside functions: the corpus is made, and each size measured, in
# spawned processes that re-import this file, and each size needs a clean process to measure
# the memory the index alone takes.
if TYPE_CHECKING:
    import pyarrow as pa

    from config.settings import Dedup

SEED = 20250601
VOCABULARY = 50_000
ZIPF = 1.0
SOURCES = 300
PER_DAY = 1_000  # articles stored a day: 1M stored signatures are ~2.7 years
SERIES = 20  # daily columns a day (exchange rates, briefings)
TEMPLATE_WORDS = 80  # each column's lead is a template...
SLOTS = 4  # ...of which this many words change every day (dates, figures)
MIN_WORDS, MAX_WORDS = 250, 2_000
CHUNK = 1_000  # stored articles per generation task; fixed, so smaller sizes are prefixes
START = datetime(2023, 1, 1)
KINDS = ("reformatted", "edited", "appended", "truncated")
LIMIT = 1.5


@dataclass(frozen=True)
class Corpus:
    """The vocabulary and the daily columns' templates, the same in every process."""

    vocab: np.ndarray  # the words (an object array: indexing it with ids is fast)
    lengths: np.ndarray  # characters of each word
    cdf: np.ndarray  # cumulative Zipf probability by rank
    templates: np.ndarray  # (SERIES, TEMPLATE_WORDS) word ids
    fixed: np.ndarray  # (TEMPLATE_WORDS,) True where the template's word is kept
    titles: list[str]


@dataclass(frozen=True)
class Doc:
    """One synthetic article: its identity and its words (as vocabulary ids)."""

    index: int
    key: str
    source: str
    title: str
    published: datetime
    words: np.ndarray


@dataclass(frozen=True)
class Query:
    """One article of the day being deduplicated, and the stored article it repeats, if any."""

    kind: str  # fresh | column | one of KINDS
    key: str
    text: str
    title: str
    source: str
    published: datetime
    expect: str | None


@cache
def corpus() -> Corpus:
    """Return the corpus, built from a fixed seed."""
    rng = np.random.default_rng([SEED, 0])
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + list("aeiou")
    vocab: list[str] = []
    seen: set[str] = set()
    for rank in range(1, VOCABULARY + 1):
        size = 1 + int(math.log10(rank))  # frequent words are short, as in real text
        while (
            word := "".join(syllables[k] for k in rng.integers(len(syllables), size=size))
        ) in seen:
            size += 1
        seen.add(word)
        vocab.append(word)
    weights = 1.0 / np.arange(1, VOCABULARY + 1) ** ZIPF
    cdf = np.cumsum(weights) / weights.sum()
    fixed = np.ones(TEMPLATE_WORDS, dtype=bool)
    fixed[(np.arange(SLOTS) * 2 + 1) * TEMPLATE_WORDS // (2 * SLOTS)] = False
    words = np.array(vocab, dtype=object)
    partial = Corpus(words, np.array([len(w) for w in vocab]), cdf, np.empty(0), fixed, [])
    series = np.random.default_rng([SEED, 1])
    templates = draw(series, SERIES * TEMPLATE_WORDS, partial).reshape(SERIES, TEMPLATE_WORDS)
    return Corpus(words, partial.lengths, cdf, templates, fixed, titles(series, SERIES, partial))


def draw(rng: np.random.Generator, count: int, c: Corpus | None = None) -> np.ndarray:
    """Return `count` word ids drawn from the Zipf distribution."""
    cdf = (c or corpus()).cdf
    return np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), len(cdf) - 1)


def titles(rng: np.random.Generator, count: int, c: Corpus | None = None) -> list[str]:
    """Return `count` titles of 6 to 10 words."""
    c = c or corpus()
    sizes = rng.integers(6, 11, count)
    words = np.split(draw(rng, int(sizes.sum()), c), np.cumsum(sizes)[:-1])
    return [" ".join(c.vocab[ids].tolist()).capitalize() for ids in words]


def bodies(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Return the word ids of `count` article bodies (~600 words each)."""
    sizes = np.clip(rng.lognormal(math.log(550), 0.4, count), MIN_WORDS, MAX_WORDS).astype(int)
    return np.split(draw(rng, int(sizes.sum())), np.cumsum(sizes)[:-1])


def column(words: np.ndarray, series: int) -> np.ndarray:
    """Return the words with the lead replaced by the column's template (its slots kept)."""
    c = corpus()
    lead = words[:TEMPLATE_WORDS].copy()
    lead[c.fixed] = c.templates[series][c.fixed]
    return np.concatenate([lead, words[TEMPLATE_WORDS:]])


def tokens(words: np.ndarray) -> list[str]:
    """Return the words as strings."""
    return corpus().vocab[words].tolist()


def render(words: list[str], sentence: int = 20) -> str:
    """Return the words as an article text: sentences, and paragraphs of five sentences."""
    sentences = [
        " ".join(words[i : i + sentence]).capitalize() + "." for i in range(0, len(words), sentence)
    ]
    return "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))


def stored_docs(chunk: int) -> list[Doc]:
    """Return the stored articles of one chunk (from its own seed, whichever process makes it)."""
    rng = np.random.default_rng([SEED, 2, chunk])
    first = chunk * CHUNK
    heads = titles(rng, CHUNK)
    sources = rng.integers(SOURCES, size=CHUNK).tolist()
    docs = []
    for index, words, head, source in zip(
        range(first, first + CHUNK), bodies(rng, CHUNK), heads, sources, strict=True
    ):
        day, slot = divmod(index, PER_DAY)
        published = START + timedelta(days=day, seconds=slot * 86_400 // PER_DAY)
        if slot < SERIES:
            source, head, words = slot, corpus().titles[slot], column(words, slot)
        key = f"https://source{source}.example/{day}/{index}"
        docs.append(Doc(index, key, f"source{source}", head, published, words))
    return docs


def stored_chunk(
    chunk: int, dedup: Dedup, keep: frozenset[int]
) -> tuple[pa.Table, dict[int, tuple[Doc, tuple]]]:
    """Return one chunk as warehouse rows, and {index: (article, stored fingerprint)} for `keep`."""
    import pyarrow as pa
    from rensa import RMinHash

    from tasks.dedup import MINHASH_SEED, title_key, to_bytes

    c, k = corpus(), dedup.shingle_words
    docs = stored_docs(chunk)
    # The chunk's normalised texts (what text_hash and shingles read: the words, space-separated)
    # joined into one string; slicing it at word offsets gives fingerprint()'s shingle strings at
    # a third of the cost of joining them word by word.
    flat = np.concatenate([doc.words for doc in docs])
    text = " ".join(c.vocab[flat].tolist())
    lengths = c.lengths[flat]
    ends = np.cumsum(lengths + 1) - 1
    starts = ends - lengths
    sets, hashes, counts = [], [], []
    at = 0
    for doc in docs:
        n = len(doc.words)
        full = [
            text[a:b]
            for a, b in zip(
                starts[at : at + n - k + 1].tolist(),
                ends[at + k - 1 : at + n].tolist(),
                strict=True,
            )
        ]
        sets.append(full)
        sets.append(full[: min(n, dedup.lead_words) - k + 1])
        counts.append(len(set(full)))
        hashes.append(hashlib.sha1(text[starts[at] : ends[at + n - 1]].encode("utf-8")).hexdigest())
        at += n
    signatures = [to_bytes(m) for m in RMinHash.from_token_sets(sets, dedup.num_perm, MINHASH_SEED)]
    keys = [doc.key for doc in docs]
    published = [doc.published for doc in docs]
    table = pa.table(
        {
            "canonical_url": keys,
            "url": keys,
            "origin": ["monitor"] * len(docs),
            "source": [doc.source for doc in docs],
            "title": [doc.title for doc in docs],
            "published_at": pa.array(published, pa.timestamp("us")),
            "fetched_at": pa.array(
                [p + timedelta(minutes=20) for p in published], pa.timestamp("us")
            ),
            # Empty: the restart path reads no text when the signatures are stored.
            "text": [""] * len(docs),
            "text_hash": hashes,
            "relevance": [1.0] * len(docs),
            "relevant": [True] * len(docs),
            "china_mentions": [1] * len(docs),
            "russia_mentions": [1] * len(docs),
            "minhash": pa.array(signatures[0::2], pa.binary()),
            "lead_minhash": pa.array(signatures[1::2], pa.binary()),
            "shingles": counts,
            "title_key": [title_key(doc.source, doc.title, dedup) for doc in docs],
        }
    )
    kept = {}
    for at, doc in enumerate(docs):
        if doc.index in keep:
            row = table.slice(at, 1).to_pylist()[0]
            names = ("text_hash", "minhash", "lead_minhash", "shingles", "title_key")
            kept[doc.index] = (doc, tuple(row[name] for name in names))
    return table, kept


def near_targets(size: int, count: int) -> list[int]:
    """Return the stored articles the day's near-duplicates copy, for a warehouse of `size`."""
    rng = np.random.default_rng([SEED, 3, size])
    return sorted(rng.choice(size, min(count, size), replace=False).tolist())


def write_warehouses(
    sizes: list[int], dedup: Dedup, keep: frozenset[int], folder: Path, workers: int
) -> tuple[dict[int, Path], dict[int, tuple[Doc, tuple]], float]:
    """Return a warehouse per size, {index: (article, stored fingerprint)} for `keep`, and the
    seconds spent inserting into DuckDB."""
    import pyarrow as pa

    from warehouse.db import writer

    paths = {n: folder / f"stored_{n}.duckdb" for n in sizes}
    kept: dict[int, tuple[Doc, tuple]] = {}
    pending: list[pa.Table] = []
    flushed = 0
    inserting = 0.0

    def flush(cons: dict) -> None:
        nonlocal flushed, pending, inserting
        start = time.perf_counter()
        table = pa.concat_tables(pending)
        for n, con in cons.items():
            rows = min(table.num_rows, n - flushed)
            if rows > 0:
                con.register("batch_articles", table.slice(0, rows))
                con.execute("insert into articles by name select * from batch_articles")
                con.unregister("batch_articles")
        flushed += table.num_rows
        pending = []
        inserting += time.perf_counter() - start

    chunks = -(-max(sizes) // CHUNK)
    spawn = get_context("spawn")
    with ExitStack() as stack:
        cons = {n: stack.enter_context(writer(path)) for n, path in paths.items()}
        pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=spawn))
        for table, docs in pool.map(stored_chunk, range(chunks), repeat(dedup), repeat(keep)):
            kept.update(docs)
            pending.append(table)
            if len(pending) * CHUNK >= 50_000:  # fewer, larger inserts
                flush(cons)
        if pending:
            flush(cons)
    return paths, kept, inserting


def check_signatures(kept: dict[int, tuple[Doc, tuple]], dedup: Dedup) -> int:
    """Return how many bulk-made fingerprints were checked; exits if one differs from fingerprint()."""
    from tasks.dedup import fingerprint, to_bytes

    for index, (doc, stored) in kept.items():
        fp = fingerprint(render(tokens(doc.words)), doc.title, doc.source, doc.published, dedup)
        made = (fp.text_hash, to_bytes(fp.minhash), to_bytes(fp.lead), fp.shingles, fp.title_key)
        if made != stored:
            sys.exit(f"stored article {index}: bulk fingerprint differs from fingerprint()")
    return len(kept)


def day_queries(size: int, targets: list[Doc], count: int) -> list[Query]:
    """Return the next day's articles: the columns, near-duplicates of `targets`, fresh ones."""
    day = (size - 1) // PER_DAY + 1
    fresh_rng = np.random.default_rng([SEED, 4])  # the same fresh articles at every size
    edit_rng = np.random.default_rng([SEED, 5, size])

    def when(slot: int) -> datetime:
        return START + timedelta(days=day, seconds=slot * 86_400 // PER_DAY)

    queries = []
    for series, words in enumerate(bodies(np.random.default_rng([SEED, 6]), min(SERIES, count))):
        text = render(tokens(column(words, series)))
        key = f"https://source{series}.example/{day}/column"
        queries.append(
            Query(
                "column", key, text, corpus().titles[series], f"source{series}", when(series), None
            )
        )
    for j, doc in enumerate(targets):
        kind, words = KINDS[j % len(KINDS)], doc.words
        n = len(words)
        if kind == "edited":  # one sentence rewritten
            at = int(edit_rng.integers(n // 4, 3 * n // 4 - 20))
            words = np.concatenate([words[:at], draw(edit_rng, 20), words[at + 20 :]])
        elif kind == "appended":  # an editor's paragraph added at the end
            words = np.concatenate([words, draw(edit_rng, 100)])
        elif kind == "truncated":  # the first half only
            words = words[: n // 2]
        text = render(tokens(words), sentence=13 if kind == "reformatted" else 20)
        key = f"https://mirror{j}.example/{day}/{doc.index}"
        # A syndicated copy: another source, the same title.
        queries.append(Query(kind, key, text, doc.title, f"mirror{j}", when(SERIES + j), doc.key))
    fresh = max(0, count - len(queries))
    heads = titles(fresh_rng, fresh)
    sources = fresh_rng.integers(SOURCES, size=fresh).tolist()
    for j, words in enumerate(bodies(fresh_rng, fresh)):
        source = f"source{sources[j]}"
        key = f"https://{source}.example/{day}/fresh{j}"
        slot = SERIES + len(targets) + j
        queries.append(
            Query("fresh", key, render(tokens(words)), heads[j], source, when(slot), None)
        )
    order = np.random.default_rng([SEED, 7]).permutation(len(queries))
    return [queries[i] for i in order]


def status_mb(field: str) -> float:
    """Return a memory field of /proc/self/status (VmRSS: now, VmHWM: peak), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # not Linux


def rss_mb() -> float:
    """Return the process's resident memory now, in MB."""
    return status_mb("VmRSS")


def peak_mb() -> float:
    """Return the process's peak resident memory, in MB.

    VmHWM, not ru_maxrss: a spawned process inherits its parent's ru_maxrss across exec.
    """
    return status_mb("VmHWM")


def settle() -> None:
    """Collect garbage and hand freed heap back to the OS, so that RSS shows live memory."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def stats(seconds: list[float]) -> tuple[float, float, float]:
    """Return the mean, 95th percentile and median, in ms."""
    values = np.array(seconds) * 1e3
    return float(values.mean()), float(np.percentile(values, 95)), float(np.median(values))


def measure(size: int, db: Path, targets: list[Doc], dedup: Dedup, count: int) -> dict:
    """Return the timings, memory, candidates and accuracy of one warehouse size."""
    from tasks.dedup import DedupIndex, fingerprint, stored_fingerprint
    from warehouse.db import reader, sql

    queries = day_queries(size, targets, count)
    settle()
    base = rss_mb()

    # The restart path, as tasks.plan.dedup_index runs it, timed in its three parts.
    read = deserialise = 0.0
    prints = []
    mark = time.perf_counter()
    with reader(db) as con:
        cursor = con.execute(sql("dedup_index"))
        while rows := cursor.fetchmany(10_000):
            now = time.perf_counter()
            read += now - mark
            for key, *stored, text, _title, _source in rows:
                assert text is None, "every synthetic row has its signatures stored"
                prints.append(stored_fingerprint((key, *stored), dedup))
            mark = time.perf_counter()
            deserialise += mark - now
        read += time.perf_counter() - mark
    del rows
    index = DedupIndex(dedup)
    start = time.perf_counter()
    for key, fp in prints:
        index.add(key, fp)
    build = time.perf_counter() - start
    del prints
    settle()
    built = rss_mb()

    fp_times, match_times, total_times = [], [], []
    candidates: dict[str, list[int]] = {}
    by_kind: dict[str, list[float]] = {}
    outcome: Counter[tuple[str, str]] = Counter()
    for query in queries:
        t0 = time.perf_counter()
        fp = fingerprint(query.text, query.title, query.source, query.published, dedup)
        t1 = time.perf_counter()
        duplicate = index.match(fp)
        t2 = time.perf_counter()
        # What _near looks at, counted outside the timing (it repeats both LSH queries).
        found = set(index._full.query(fp.minhash)) | set(index._lead.query(fp.lead))
        candidates.setdefault(query.kind, []).append(len(found))
        t3 = time.perf_counter()
        if duplicate is None:
            index.add(query.key, fp)
        t4 = time.perf_counter()
        fp_times.append(t1 - t0)
        match_times.append((t2 - t1) + (t4 - t3))
        by_kind.setdefault(query.kind, []).append((t2 - t1) + (t4 - t3))
        total_times.append((t1 - t0) + (t2 - t1) + (t4 - t3))
        if query.expect is None:
            result = "clean" if duplicate is None else f"false:{duplicate.method}"
        elif duplicate is not None and duplicate.of == query.expect:
            result = f"found:{duplicate.method}"
        else:
            result = "missed" if duplicate is None else "wrong"
        outcome[query.kind, result] += 1
    return {
        "size": size,
        "read": read,
        "deserialise": deserialise,
        "build": build,
        "base_mb": base,
        "built_mb": built,
        "peak_mb": peak_mb(),
        "fingerprint": stats(fp_times),
        "match": stats(match_times),
        "total": stats(total_times),
        "candidates": {kind: float(np.mean(v)) for kind, v in candidates.items()},
        "match_by_kind": {kind: stats(v) for kind, v in by_kind.items()},
        "max_candidates": max(max(v) for v in candidates.values()),
        "outcome": dict(outcome),
        "chars": float(np.mean([len(q.text) for q in queries if q.kind == "fresh"] or [0])),
    }


def measure_apart(size: int, db: Path, targets: list[Doc], dedup: Dedup, count: int) -> dict:
    """Return measure() run in a fresh process, so that its memory is the index's alone."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure, size, db, targets, dedup, count).result()


def report(r: dict) -> None:
    """Print one size's numbers."""
    n = r["size"]
    restart = r["read"] + r["deserialise"] + r["build"]
    index_mb = r["built_mb"] - r["base_mb"]
    print(f"\n{n:,} stored signatures")
    print(
        f"  index build (DedupIndex.add x {n:,}): {r['build']:.2f} s "
        f"({r['build'] / n * 1e6:.1f} µs per article)"
    )
    print(
        f"  rebuild from stored signatures: {restart:.2f} s ({restart / n * 1e6:.1f} µs per "
        f"article) = DuckDB read {r['read']:.2f} s + deserialise {r['deserialise']:.2f} s "
        f"+ index build {r['build']:.2f} s"
    )
    print(
        f"  memory: RSS {r['built_mb']:,.0f} MB after building, index {index_mb:,.0f} MB "
        f"= {index_mb * 1024 / n:.2f} KB per stored article; process peak {r['peak_mb']:,.0f} MB"
    )
    for part in ("fingerprint", "match", "total"):
        mean, p95, _ = r[part]
        label = {"match": "match + add", "total": "per article"}.get(part, part)
        print(f"  {label:<12} mean {mean:6.3f} ms   p95 {p95:6.3f} ms")
    print(
        "  by kind: LSH candidates (mean), match + add (mean / p95), outcome; "
        f"max candidates {r['max_candidates']}"
    )
    outcome: dict[tuple[str, str], int] = r["outcome"]
    for kind in ("fresh", "column", *KINDS):
        results = {res: k for (kd, res), k in outcome.items() if kd == kind}
        if results:
            mean, p95, _ = r["match_by_kind"][kind]
            print(
                f"    {kind:<12} {r['candidates'][kind]:6.1f} cand  {mean:6.3f} / {p95:6.3f} ms  "
                + ", ".join(f"{res} {k}" for res, k in sorted(results.items()))
            )


def summary(results: list[dict]) -> None:
    """Print the table of sizes and the ratio of the largest size's time to the reference's."""
    print(
        "\n     stored   build s  rebuild s  µs/art rebuild  KB/art  fp ms  match ms  "
        "total ms  p95 ms  recall  false"
    )
    for r in results:
        n = r["size"]
        restart = r["read"] + r["deserialise"] + r["build"]
        near = [(res, k) for (kind, res), k in r["outcome"].items() if kind in KINDS]
        found = sum(k for res, k in near if res.startswith("found"))
        total = sum(k for _, k in near)
        false = sum(k for (kind, res), k in r["outcome"].items() if res.startswith("false"))
        print(
            f"{n:>11,} {r['build']:>9.2f} {restart:>10.2f} {restart / n * 1e6:>15.1f} "
            f"{(r['built_mb'] - r['base_mb']) * 1024 / n:>7.2f} {r['fingerprint'][0]:>6.3f} "
            f"{r['match'][0]:>9.3f} {r['total'][0]:>9.3f} {r['total'][1]:>7.3f} "
            f"{found:>3}/{total:<3} {false:>5}"
        )
    for small, large in zip(results, results[1:], strict=False):
        grown = large["built_mb"] - large["base_mb"] - (small["built_mb"] - small["base_mb"])
        print(
            f"memory per stored article from {small['size']:,} to {large['size']:,}: "
            f"{grown * 1024 / (large['size'] - small['size']):.2f} KB (fixed costs left out)"
        )
    by_size = {r["size"]: r for r in results}
    reference = by_size.get(10_000, results[0])
    largest = results[-1]
    if largest is reference:
        return
    ratio = largest["total"][0] / reference["total"][0]
    match_ratio = largest["match"][0] / reference["match"][0]
    label = f"{largest['size']:,} / {reference['size']:,}"
    print(
        f"\nper-article time at {label}: {ratio:.2f}x (median {largest['total'][2] / reference['total'][2]:.2f}x, "
        f"p95 {largest['total'][1] / reference['total'][1]:.2f}x; match + add alone: mean "
        f"{match_ratio:.2f}x, median {largest['match'][2] / reference['match'][2]:.2f}x)"
    )
    if largest["size"] == 1_000_000 and reference["size"] == 10_000:
        verdict = "PASS" if ratio <= LIMIT else "FAIL"
        print(f"{verdict}: per-article time at 1M within {LIMIT}x of 10k")


def main() -> None:
    """Print dedup time per article, memory and restart time for each warehouse size."""
    from config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored signatures")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000,100000")
    parser.add_argument("--queries", type=int, default=1_000, help="articles deduplicated a size")
    parser.add_argument("--near", type=float, default=0.1, help="share of near-duplicates")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in ("1000,10000,100000" if args.quick else args.sizes).split(",")})

    dedup = load_settings().dedup
    near = round(args.queries * args.near)
    targets = {n: near_targets(n, near) for n in sizes}
    keep = frozenset(i for indices in targets.values() for i in indices)
    print(
        f"{os.cpu_count()} cores; dedup: {dedup.num_perm} permutations, {dedup.bands} bands, "
        f"threshold {dedup.threshold}, {dedup.shingle_words}-word shingles, "
        f"lead {dedup.lead_words} words"
    )
    with tempfile.TemporaryDirectory(prefix="sinorus-dedup-") as tmp:
        start = time.perf_counter()
        paths, kept, inserting = write_warehouses(sizes, dedup, keep, Path(tmp), args.workers)
        made = time.perf_counter() - start
        checked = check_signatures(kept, dedup)
        disk = sum(p.stat().st_size for p in paths.values()) / 1e6
        print(
            f"synthetic warehouses ({', '.join(f'{n:,}' for n in sizes)} articles): made in "
            f"{made:.0f} s with {args.workers} workers (DuckDB inserts {inserting:.0f} s), "
            f"{disk:,.0f} MB on disk; "
            f"{checked} bulk signatures identical to fingerprint()'s"
        )
        results = []
        for n in sizes:
            chosen = [kept[i][0] for i in targets[n]]
            results.append(measure_apart(n, paths[n], chosen, dedup, args.queries))
            report(results[-1])
            paths[n].unlink()
    print(f"\nquery articles: ~{results[0]['chars'] / 1024:.1f} KB of text each (fresh ones)")
    summary(results)
    print(
        f"peak memory: {max(r['peak_mb'] for r in results):,.0f} MB (the largest size's process); "
        f"{peak_mb():,.0f} MB in this one (making the warehouses)"
    )


if __name__ == "__main__":
    main()
