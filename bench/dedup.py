"""Dedup quality and CPU cost with 10k, 100k and 1M stored originals (synthetic): signatures, the
warehouse's candidate rule (shared index keys) and the confirm step of a batch commit.

    uv run python bench/dedup.py [--sizes 10000,100000,1000000] [--quick] [--queries 1000]

Stored articles are synthetic: words drawn from a Zipf vocabulary of 50,000 pseudo-words,
~600 words per article (log-normal, 250 to 2,000), 1,000 articles a day, of which 20 are daily
columns (same source, same title, an 80-word templated lead whose figures change), so that the
LSH meets more look-alike leads as the warehouse grows. Their signatures are made in bulk with
`RMinHash.from_token_sets` under `MINHASH_SEED` and the configured `num_perm`, from the very
shingle strings `fingerprint()` makes (checked byte for byte on every near-duplicate's original),
in two worker processes, with each original's keys from `tasks.dedup.index_keys`: what the
warehouse stores in `dedup_keys`.

Per size, the next day's articles are deduplicated 50 at a time as a batch commit does
(`tasks.duplicates.decide_duplicates`): `fingerprint` (the judge step, outside the writer lock), the
stored originals sharing a key with the batch (the rule of the `dedup_candidates` join, applied
here to a sorted in-memory copy of the keys instead of the lake's table), then `build_index` over
those candidates, oldest first, and `match_batch`; a batch's originals join the index for the
next ones. The day holds mostly fresh articles, the 20 columns, and 10% near-duplicates of stored
articles (reformatted, a sentence rewritten, a paragraph appended, cut to its first half, a fifth
from its middle). The candidate rule is the join's: a stored original sharing any key but a piece,
or `copy_min_shared` pieces with one article, and it brings the pieces it shares with the batch.
It prints the index keys per stored original, the time per article to fingerprint, the candidates
a batch fetches, the lookup and confirm time per batch, recall and false matches.

Nothing is rebuilt when a run starts any more (the index is the lake's `dedup_keys`): what the
lookup itself costs as the lake grows, with the commit around it, is measured by bench/lake.py.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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

# The project is imported inside functions: the corpus is made in spawned processes that
# re-import this file.
if TYPE_CHECKING:
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
KINDS = ("reformatted", "edited", "appended", "truncated", "fifth")
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


def stored_chunk(chunk: int, dedup: Dedup, keep: frozenset[int]) -> tuple[dict, dict[int, tuple]]:
    """Return one chunk's stored originals (fingerprint fields and index keys, in arrays), and
    {index: (article, stored fingerprint)} for `keep`."""
    from rensa import RMinHash

    from tasks.dedup import MINHASH_SEED, Print, index_keys, pieces, title_key, to_bytes

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
    signatures = RMinHash.from_token_sets(sets, dedup.num_perm, MINHASH_SEED)
    keys, owners, rows, kept = [], [], [], {}
    for j, doc in enumerate(docs):
        fp = Print(
            text_hash=hashes[j],
            minhash=signatures[2 * j],
            lead=signatures[2 * j + 1],
            shingles=counts[j],
            title_key=title_key(doc.source, doc.title, dedup),
            published=doc.published.date(),
            pieces=pieces(set(sets[2 * j]), dedup),
        )
        doc_keys = index_keys(fp, dedup)
        keys.extend(doc_keys)
        owners.extend([doc.index] * len(doc_keys))
        # A row as the dedup_candidates query returns it.
        row = (
            doc.key,
            fp.text_hash,
            to_bytes(fp.minhash),
            to_bytes(fp.lead),
            fp.shingles,
            fp.title_key,
            doc.published,
        )
        rows.append(row)
        if doc.index in keep:
            kept[doc.index] = (doc, (*row[1:6], fp.pieces))
    return {
        "keys": np.array(keys, dtype=np.int64),
        "owners": np.array(owners, dtype=np.int32),
        "rows": rows,
    }, kept


@dataclass
class Stored:
    """The stored originals of the largest size, in index order, with their keys."""

    rows: list[tuple]  # (url, text_hash, minhash, lead_minhash, shingles, title_key, published)
    keys: np.ndarray  # every index key, chunk after chunk
    owners: np.ndarray  # the stored article (index) each key belongs to
    key_ends: list[int]  # keys of the first i+1 chunks: keys[: key_ends[i]]


def make_stored(
    size: int, dedup: Dedup, keep: frozenset[int], workers: int
) -> tuple[Stored, dict[int, tuple[Doc, tuple]]]:
    """Return the stored originals of `size` articles, and {index: (article, fingerprint)}."""
    chunks = -(-size // CHUNK)
    rows: list[tuple] = []
    keys, owners, ends = [], [], []
    kept: dict[int, tuple[Doc, tuple]] = {}
    total = 0
    spawn = get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        for made, docs in pool.map(stored_chunk, range(chunks), repeat(dedup), repeat(keep)):
            rows.extend(made["rows"])
            keys.append(made["keys"])
            owners.append(made["owners"])
            total += len(made["keys"])
            ends.append(total)
            kept.update(docs)
    return Stored(rows, np.concatenate(keys), np.concatenate(owners), ends), kept


def near_targets(size: int, count: int) -> list[int]:
    """Return the stored articles the day's near-duplicates copy, for a warehouse of `size`."""
    rng = np.random.default_rng([SEED, 3, size])
    return sorted(rng.choice(size, min(count, size), replace=False).tolist())


def check_signatures(kept: dict[int, tuple[Doc, tuple]], dedup: Dedup) -> int:
    """Return how many bulk-made fingerprints were checked; exits if one differs from fingerprint()."""
    from tasks.dedup import fingerprint, to_bytes

    for index, (doc, stored) in kept.items():
        fp = fingerprint(render(tokens(doc.words)), doc.title, doc.source, doc.published, dedup)
        made = (
            fp.text_hash,
            to_bytes(fp.minhash),
            to_bytes(fp.lead),
            fp.shingles,
            fp.title_key,
            fp.pieces,
        )
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
        elif kind == "fifth":  # a fifth from the middle, of 60 words at least (the floor)
            words = words[2 * n // 5 : 2 * n // 5 + max(n // 5, 60)]
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


def stats(values: list[float], scale: float = 1e3) -> tuple[float, float, float]:
    """Return the mean, 95th percentile and median (seconds in ms by default)."""
    array = np.array(values) * scale
    return float(array.mean()), float(np.percentile(array, 95)), float(np.median(array))


class Keys:
    """The stored originals' index keys, sorted: `dedup_keys` as an in-memory stand-in."""

    def __init__(self, stored: Stored, size: int) -> None:
        mask = stored.owners < size
        keys, owners = stored.keys[mask], stored.owners[mask]
        order = np.argsort(keys, kind="stable")
        self.keys, self.owners = keys[order], owners[order]
        self.added: dict[int, list[int]] = {}  # keys of the originals committed meanwhile

    def shared(self, keys: list[int]) -> dict[int, set[int]]:
        """Return {stored original (index): the keys of `keys` it has}."""
        wanted = np.array(keys, dtype=np.int64)
        left = np.searchsorted(self.keys, wanted, "left")
        right = np.searchsorted(self.keys, wanted, "right")
        found: dict[int, set[int]] = {}
        for key, a, b in zip(keys, left.tolist(), right.tolist(), strict=True):
            for owner in [*self.owners[a:b].tolist(), *self.added.get(key, ())]:
                found.setdefault(owner, set()).add(key)
        return found

    def candidates(self, keys: list[int], pieces: frozenset[int], min_shared: int) -> dict:
        """Return {stored original: the pieces it shares} for one article, as the join's rule
        has it: any key but a piece, or `min_shared` pieces."""
        out = {}
        for owner, found in self.shared(keys).items():
            own = found & pieces
            if len(own) < len(found) or len(own) >= min_shared:
                out[owner] = own
        return out

    def add(self, owner: int, keys: list[int]) -> None:
        """Add a committed original's keys."""
        for key in keys:
            self.added.setdefault(key, []).append(owner)


def measure(
    size: int, stored: Stored, targets: list[Doc], dedup: Dedup, count: int, batch: int
) -> dict:
    """Return the timings, candidates and accuracy of deduplicating a day against `size` stored."""
    from tasks.dedup import build_index, fingerprint, index_keys, pieces_of, to_bytes
    from tasks.duplicates import match_batch
    from tasks.extract import Article
    from tasks.records import Assessed
    from tasks.urls import Candidate

    queries = day_queries(size, targets, count)
    index_keys_of = Keys(stored, size)
    rows = list(stored.rows[:size])
    fp_times: list[float] = []
    confirm_times: list[float] = []
    lookup_times: list[float] = []
    batch_candidates: list[int] = []
    candidates: dict[str, list[int]] = {}
    outcome: Counter[tuple[str, str]] = Counter()
    for first in range(0, len(queries), batch):
        group = queries[first : first + batch]
        judged = []
        for query in group:
            mark = time.perf_counter()
            fp = fingerprint(query.text, query.title, query.source, query.published, dedup)
            fp_times.append(time.perf_counter() - mark)
            candidate = Candidate(
                canonical_url=query.key,
                url=query.key,
                origin="monitor",
                source=query.source,
                title=query.title,
            )
            article = Article(
                candidate=candidate,
                url=query.key,
                fetched_at=query.published,
                text=query.text,
                title=query.title,
                published_at=query.published,
                date_source="page",
            )
            # Relevance is not judged here: only the duplicate layers are measured.
            judged.append(
                Assessed(
                    article=article, relevance=None, mentions={}, fingerprint=fp, duplicate=None
                )  # type: ignore[arg-type]
            )
        # The dedup_candidates join: the stored originals sharing a key with the batch.
        keys = [index_keys(item.fingerprint, dedup) for item in judged]
        mark = time.perf_counter()
        shared: dict[int, set[int]] = {}
        for item, article_keys in zip(judged, keys, strict=True):
            found = index_keys_of.candidates(
                article_keys, pieces_of(item.fingerprint), dedup.copy_min_shared
            )
            for owner, own in found.items():
                shared.setdefault(owner, set()).update(own)
            candidates.setdefault(query_kind(group, item), []).append(len(found))
        lookup_times.append(time.perf_counter() - mark)
        batch_candidates.append(len(shared))
        # The commit's confirm step: an index of those candidates, oldest first, and the batch.
        mark = time.perf_counter()
        index = build_index(
            ((*rows[owner][:7], sorted(shared[owner])) for owner in sorted(shared)), dedup
        )
        assessed = match_batch(judged, index)
        confirm_times.append(time.perf_counter() - mark)
        for query, item, article_keys in zip(group, assessed, keys, strict=True):
            duplicate = item.duplicate
            if duplicate is None:  # committed: the next batches find it
                fp = item.fingerprint
                rows.append(
                    (
                        query.key,
                        fp.text_hash,
                        to_bytes(fp.minhash),
                        to_bytes(fp.lead),
                        fp.shingles,
                        fp.title_key,
                        query.published,
                    )
                )
                index_keys_of.add(len(rows) - 1, article_keys)
            if query.expect is None:
                result = "clean" if duplicate is None else f"false:{duplicate.method}"
            elif duplicate is not None and duplicate.of == query.expect:
                result = f"found:{duplicate.method}"
            else:
                result = "missed" if duplicate is None else "wrong"
            outcome[query.kind, result] += 1
    return {
        "size": size,
        "keys": (len(index_keys_of.keys) / size, int(np.bincount(index_keys_of.owners).max())),
        "fingerprint": stats(fp_times),
        "confirm": stats(confirm_times),
        "lookup": stats(lookup_times),
        "batch_candidates": stats(batch_candidates, 1.0),
        "max_batch_candidates": max(batch_candidates),
        "candidates": {kind: float(np.mean(v)) for kind, v in candidates.items()},
        "max_candidates": {kind: max(v) for kind, v in candidates.items()},
        "outcome": dict(outcome),
        "chars": float(np.mean([len(q.text) for q in queries if q.kind == "fresh"] or [0])),
    }


def query_kind(group: list[Query], item) -> str:
    """Return the kind of the query an assessed article was made from."""
    url = item.article.candidate.canonical_url
    return next(query.kind for query in group if query.key == url)


def report(r: dict) -> None:
    """Print one size's numbers."""
    print(f"\n{r['size']:,} stored originals")
    print(f"  index keys per stored original  mean {r['keys'][0]:6.1f}   max {r['keys'][1]}")
    mean, p95, _ = r["fingerprint"]
    print(
        f"  fingerprint (judge step, outside the lock)  mean {mean:6.3f} ms   p95 {p95:6.3f} ms per article"
    )
    mean, p95, _ = r["batch_candidates"]
    print(
        f"  candidates fetched by a batch  mean {mean:6.1f}   p95 {p95:6.1f}   max {r['max_batch_candidates']}"
    )
    mean, p95, _ = r["lookup"]
    print(
        f"  lookup (the candidate rule, in memory)  mean {mean:6.2f} ms   p95 {p95:6.2f} ms per batch"
    )
    mean, p95, _ = r["confirm"]
    print(
        f"  confirm (build_index + match_batch)  mean {mean:6.2f} ms   p95 {p95:6.2f} ms per batch"
    )
    print("  by kind: candidates sharing a key (mean / max), outcome")
    outcome: dict[tuple[str, str], int] = r["outcome"]
    for kind in ("fresh", "column", *KINDS):
        results = {res: k for (kd, res), k in outcome.items() if kd == kind}
        if results:
            print(
                f"    {kind:<12} {r['candidates'][kind]:7.1f} / {r['max_candidates'][kind]:<5} "
                + ", ".join(f"{res} {k}" for res, k in sorted(results.items()))
            )


def summary(results: list[dict], batch: int) -> None:
    """Print the table of sizes and the ratios of the largest size to the smallest."""
    print(
        "\n     stored  keys/art  fp ms/art  cand/batch  max cand  confirm ms/batch  p95 ms  recall  false"
    )
    for r in results:
        near = [(res, k) for (kind, res), k in r["outcome"].items() if kind in KINDS]
        found = sum(k for res, k in near if res.startswith("found"))
        total = sum(k for _, k in near)
        false = sum(k for (kind, res), k in r["outcome"].items() if res.startswith("false"))
        print(
            f"{r['size']:>11,} {r['keys'][0]:>9.1f} {r['fingerprint'][0]:>10.3f} "
            f"{r['batch_candidates'][0]:>11.1f} "
            f"{r['max_batch_candidates']:>9} {r['confirm'][0]:>17.2f} {r['confirm'][1]:>7.2f} "
            f"{found:>3}/{total:<3} {false:>5}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"\n{large['size']:,} / {small['size']:,}: confirm time per batch of {batch} "
            f"{large['confirm'][0] / small['confirm'][0]:.2f}x, candidates per batch "
            f"{large['batch_candidates'][0] / max(small['batch_candidates'][0], 1e-9):.2f}x "
            "(the daily columns' title keys gather every edition: they grow with the days stored)"
        )


def main() -> None:
    """Print fingerprint time, candidates, confirm time, recall and false matches for each size."""
    from config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored originals")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000,100000")
    parser.add_argument("--queries", type=int, default=1_000, help="articles deduplicated a size")
    parser.add_argument("--near", type=float, default=0.1, help="share of near-duplicates")
    parser.add_argument("--batch", type=int, default=50, help="articles per batch commit")
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
        f"lead {dedup.lead_words} words; {2 + 2 * dedup.bands} index keys per original and up to "
        f"about {dedup.copy_keys} pieces (one shingle in {dedup.copy_sample})"
    )
    start = time.perf_counter()
    stored, kept = make_stored(max(sizes), dedup, keep, args.workers)
    made = time.perf_counter() - start
    checked = check_signatures(kept, dedup)
    print(
        f"synthetic originals ({', '.join(f'{n:,}' for n in sizes)}): made in {made:.0f} s with "
        f"{args.workers} workers, {len(stored.keys):,} index keys; "
        f"{checked} bulk signatures identical to fingerprint()'s"
    )
    results = []
    for n in sizes:
        chosen = [kept[i][0] for i in targets[n]]
        results.append(measure(n, stored, chosen, dedup, args.queries, args.batch))
        report(results[-1])
    print(f"\nquery articles: ~{results[0]['chars'] / 1024:.1f} KB of text each (fresh ones)")
    summary(results, args.batch)


if __name__ == "__main__":
    main()
