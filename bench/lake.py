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
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

SEED = 20261130
DAYS = 730  # publication dates spread over two years, ending today
SERIES = 3  # daily columns: same source, same title, every day
COLUMN_TITLES = (
    "Rouble and yuan exchange rates for the day",
    "Daily briefing on China Russia trade and energy",
    "Foreign ministry press conference the main points",
)
DUPLICATES = 0.10
RELEVANT = 0.60
MENTIONS_MEAN = 5.0  # keyword mentions per article (Poisson mean)
VOCABULARY = 20_000
MIN_WORDS, MAX_WORDS = 130, 400
CHUNK = 20_000  # articles per generation task
COMMIT_ROWS = 100_000  # articles per bulk commit
PLANTED = 32  # originals of real text whose near-copies the measured batches carry
BATCH = 50
KINDS = ("reformatted", "appended", "truncated", "edited")
QUERY_GOAL = 0.5
FLAT_GOAL = 1.5
START_GOAL = 2.0
TEXT_DIRS = ("warehouse/seeds", "newsroom/articles", "tests/eval/relevance")


# -- Synthetic stored articles ------------------------------------------------------------------


def _vocabulary():
    """Return (words, Zipf cdf): pseudo-words of ASCII letters, frequent ones short."""
    import math

    import numpy as np

    rng = np.random.default_rng([SEED, 0])
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: list[str] = []
    seen: set[str] = set()
    for rank in range(1, VOCABULARY + 1):
        size = 1 + int(math.log10(rank))
        while (
            word := "".join(syllables[k] for k in rng.integers(len(syllables), size=size))
        ) in seen:
            size += 1
        seen.add(word)
        words.append(word)
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    return words, np.cumsum(weights) / weights.sum()


def _sources(settings) -> list[tuple[str, str]]:
    """Return (name, host) of the ~60 sources: the configured feeds and regional wires."""
    from urllib.parse import urlsplit

    named = [(feed.name, urlsplit(feed.url).netloc) for feed in settings.feeds]
    return named + [(f"Regional Wire {k}", f"wire{k}.example.com") for k in range(60 - len(named))]


SENTENCE_SIZES = (14, 11, 18, 12, 16, 20, 10, 15, 13, 17)


def _render(tokens: list[str], shift: int) -> str:
    """Return the words as text: sentences of 10-20 words, paragraphs of four sentences."""
    sentences, at, k = [], 0, shift
    while at < len(tokens):
        size = SENTENCE_SIZES[k % len(SENTENCE_SIZES)]
        sentences.append(" ".join(tokens[at : at + size]).capitalize() + ".")
        at += size
        k += 1
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def band_keys(signatures: list, layer: bytes, dedup):
    """Return an (articles, bands) int64 array: `tasks.dedup._band_keys` of each signature,
    computed band by band over a digest matrix (the same bytes hashed, checked on a sample)."""
    import hashlib

    import numpy as np

    rows = dedup.num_perm // dedup.bands
    matrix = np.array([m.digest() for m in signatures], dtype="<u4").reshape(
        len(signatures), dedup.bands, rows
    )
    size = rows * 4
    out = np.empty((len(signatures), dedup.bands), dtype=np.int64)
    for band in range(dedup.bands):
        prefix = layer + b"%d|" % band
        blob = matrix[:, band, :].tobytes()
        digests = b"".join(
            hashlib.blake2b(prefix + blob[at : at + size], digest_size=8).digest()
            for at in range(0, len(blob), size)
        )
        out[:, band] = np.frombuffer(digests, dtype=">i8")
    return out


def make_chunk(first: int, count: int, total: int, end_ts: float, dedup, tag: str = "") -> dict:
    """Return articles first..first+count-1 of `total`, their mentions and keys, as Arrow tables.

    Article i is published at a time proportional to i over the DAYS before `end_ts`, so files
    are in time order as a monitor writes them; the first SERIES articles of each day are the
    daily columns. Runs in a worker process.
    """
    import hashlib
    from datetime import UTC, datetime, timedelta

    import numpy as np
    import pyarrow as pa
    from rensa import RMinHash

    from config import load_settings
    from tasks.dedup import MINHASH_SEED, _key, pieces, title_key, to_bytes
    from tasks.load import ARTICLES, KEYS, MENTIONS

    vocab, cdf, lengths = _cached_vocabulary()
    settings = load_settings()
    sources = _sources(settings)
    keywords = [kw.name for kw in settings.keywords]
    kw_weights = 1.0 / np.arange(1, len(keywords) + 1) ** 0.7
    kw_weights /= kw_weights.sum()
    src_weights = 1.0 / np.arange(1, len(sources) + 1) ** 0.5
    src_weights /= src_weights.sum()
    languages = np.array(["en", "ru", "zh", "de", "fr"], dtype=object)
    methods = ["minhash", "containment", "text_hash", "title"]
    k = dedup.shingle_words
    span = DAYS * 86_400
    start = datetime.fromtimestamp(end_ts, UTC).replace(tzinfo=None) - timedelta(seconds=span)

    # Every random choice of the chunk drawn at once.
    rng = np.random.default_rng([SEED, total, first])
    n = count
    index = np.arange(first, first + n)
    day = index * DAYS // total
    slot = index - (-(-(day * total) // DAYS))
    series = np.where(slot < SERIES, slot, -1)
    offset = (index + rng.random(n)) * span / total
    src = rng.choice(len(sources), n, p=src_weights)
    lang = rng.choice(len(languages), n, p=[0.85, 0.05, 0.04, 0.03, 0.03])
    uniform = rng.random((n, 6))  # duplicate?, undated?, relevant?, origin, utm, date source
    back = rng.integers(1, 200, n)
    delay = rng.uniform(5, 360, n)
    scores = rng.exponential(4.0, n)
    low = rng.uniform(0, 6, n)
    similarity = rng.uniform(0.8, 1.0, n).round(4)
    method = rng.choice(4, n, p=[0.6, 0.2, 0.15, 0.05])
    title_sizes = rng.integers(6, 13, n)
    text_sizes = np.clip(rng.lognormal(np.log(190), 0.35, n), MIN_WORDS, MAX_WORDS).astype(int)
    title_ids = np.split(
        np.minimum(np.searchsorted(cdf, rng.random(title_sizes.sum())), VOCABULARY - 1),
        np.cumsum(title_sizes)[:-1],
    )
    text_ids = np.split(
        np.minimum(np.searchsorted(cdf, rng.random(text_sizes.sum())), VOCABULARY - 1),
        np.cumsum(text_sizes)[:-1],
    )
    edits = np.minimum(np.searchsorted(cdf, rng.random((n, 3))), VOCABULARY - 1)
    mention_counts = np.clip(rng.poisson(MENTIONS_MEAN, n), 1, 12)
    # Weighted choice without replacement, for every article at once (Gumbel top-k).
    ranked = np.argsort(-(np.log(kw_weights) + rng.gumbel(size=(n, len(keywords)))), axis=1)
    mention_values = rng.geometric(0.5, (n, 12))

    rows: dict[str, list] = {name: [] for name in ARTICLES.names}
    sets: list[list[str]] = []
    originals: list[int] = []
    word_ids: list = []
    sample = []
    for at in range(n):
        i = first + at
        copy_of = None
        if series[at] >= 0:
            source, host = sources[series[at]]
            title = COLUMN_TITLES[series[at]]
            published = start + timedelta(days=int(day[at]), hours=6 + int(series[at]))
        else:
            source, host = sources[src[at]]
            published = start + timedelta(seconds=float(offset[at]))
            if originals and uniform[at, 0] < DUPLICATES:
                copy_of = originals[max(0, len(originals) - int(back[at]))]
        if copy_of is None:
            ids = text_ids[at]
            if series[at] < 0:
                title = " ".join(vocab[title_ids[at]].tolist()).capitalize()
        else:
            # A syndicated copy: the original's title and text, three words changed.
            title = rows["title"][copy_of]
            ids = word_ids[copy_of].copy()
            ids[(np.arange(3) * 37 + at) % len(ids)] = edits[at]
        word_ids.append(ids)
        tokens = vocab[ids].tolist()
        # fingerprint() reads the lowercased words joined by single spaces: slicing that string
        # at word offsets gives its shingle strings.
        norm = " ".join(tokens)
        ends = np.cumsum(lengths[ids] + 1) - 1
        starts = (ends - lengths[ids]).tolist()
        ends = ends.tolist()
        full = [norm[a:b] for a, b in zip(starts[: len(ids) - k + 1], ends[k - 1 :], strict=True)]
        sets.append(full)
        sets.append(full[: min(len(ids), dedup.lead_words) - k + 1])
        url = f"https://{host}/{published:%Y/%m/%d}/{'-'.join(title.lower().split()[:5])}-{tag}{i:07d}"
        relevant = bool(series[at] >= 0 or uniform[at, 2] < RELEVANT)
        undated = bool(series[at] < 0 and uniform[at, 1] < 0.04)
        text = _render(tokens, at)
        rows["canonical_url"].append(url)
        rows["url"].append(url + "?utm_source=rss" if uniform[at, 4] < 0.1 else url)
        rows["origin"].append("backfill" if uniform[at, 3] < 0.12 else "monitor")
        rows["source"].append(source)
        rows["title"].append(title)
        rows["author"].append(None)
        rows["sitename"].append(source)
        rows["language"].append(languages[lang[at]])
        rows["published_at"].append(None if undated else published)
        rows["date_source"].append(
            "none" if undated else "page" if uniform[at, 5] < 0.8 else "feed"
        )
        rows["fetched_at"].append(published + timedelta(minutes=float(delay[at])))
        rows["text"].append(text)
        rows["text_hash"].append(hashlib.sha1(norm.encode()).hexdigest())
        score = 6.0 + scores[at] if relevant else low[at]
        rows["relevance"].append(round(float(score), 2))
        rows["relevance_threshold"].append(6.0)
        rows["relevant"].append(relevant)
        rows["relevance_evidence"].append(
            '{"china": ["China", "Beijing"], "russia": ["Russia", "Kremlin"], "components": '
            f'{{"title": {4.0 if relevant else 0.0}, "lead": 3.0, "sentence": 2.0}}, '
            f'"sentences": ["{tokens[0]} {tokens[1]} {tokens[2]}"], "score": {score:.2f}}}'
        )
        rows["china_mentions"].append(2 + at % 9)
        rows["russia_mentions"].append(2 + at % 7)
        if copy_of is None:
            rows["duplicate_of"].append(None)
            rows["similarity"].append(None)
            rows["dup_method"].append(None)
            originals.append(at)
        else:
            rows["duplicate_of"].append(rows["canonical_url"][copy_of])
            rows["similarity"].append(float(similarity[at]))
            rows["dup_method"].append(methods[method[at]])
        rows["shingles"].append(len(set(full)))
        rows["title_key"].append(title_key(source, title, dedup))
        rows["run_id"].append(f"{i // 200:032x}")
        if copy_of is None and at % (CHUNK // 8) == 7 and not tag:
            sample.append({"url": url, "text": text, "title": title, "source": source})

    signatures = RMinHash.from_token_sets(sets, dedup.num_perm, MINHASH_SEED)
    rows["minhash"] = [to_bytes(m) for m in signatures[0::2]]
    rows["lead_minhash"] = [to_bytes(m) for m in signatures[1::2]]

    # Mentions: the first `mention_counts` keywords of each article's weighted shuffle.
    take = np.arange(12)[None, :] < mention_counts[:, None]
    who = np.broadcast_to(np.arange(n)[:, None], (n, 12))[take]
    urls = np.array(rows["canonical_url"], dtype=object)
    mentions = pa.table(
        {
            "canonical_url": urls[who],
            "keyword": np.array(keywords, dtype=object)[ranked[:, :12][take]],
            "mentions": mention_values[take].astype(np.int32),
        },
        schema=MENTIONS,
    )

    # Index keys of the originals, article by article as index_keys() lists them.
    at = np.array(originals)
    if any(rows["title_key"][j] is None for j in originals):
        raise ValueError("every synthetic title is long enough to have a title key")
    keys = np.concatenate(
        [
            np.array([[_key(b"text", rows["text_hash"][j].encode())] for j in originals], np.int64),
            np.array(
                [[_key(b"title", rows["title_key"][j].encode())] for j in originals], np.int64
            ),
            band_keys([signatures[2 * j] for j in originals], b"full", dedup),
            band_keys([signatures[2 * j + 1] for j in originals], b"lead", dedup),
        ],
        axis=1,
    )
    # Then each original's pieces (sampled shingles), as many as its text keeps.
    kept = [sorted(pieces(set(sets[2 * j]), dedup)) for j in originals]
    key_table = pa.table(
        {
            "key": np.concatenate(
                [keys.reshape(-1), np.array([p for ps in kept for p in ps], np.int64)]
            ),
            "canonical_url": np.concatenate(
                [np.repeat(urls[at], keys.shape[1]), np.repeat(urls[at], [len(ps) for ps in kept])]
            ),
        },
        schema=KEYS,
    )
    return {
        "articles": pa.Table.from_pydict(rows, schema=ARTICLES),
        "mentions": mentions,
        "keys": key_table,
        "sample": sample,
    }


_VOCAB = None


def _cached_vocabulary():
    """Return (words as an object array, Zipf cdf, word lengths), made once per process."""
    global _VOCAB
    if _VOCAB is None:
        import numpy as np

        words, cdf = _vocabulary()
        _VOCAB = (np.array(words, dtype=object), cdf, np.array([len(w) for w in words]))
    return _VOCAB


# -- Real-ish articles for the measured batches --------------------------------------------------


def sentence_pool() -> list[str]:
    """Return the distinct sentences of the repository's real texts (seeds, newsroom, eval)."""
    pool: dict[str, None] = {}
    for folder in TEXT_DIRS:
        for path in sorted((ROOT / folder).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if text.startswith("label:"):
                text = text.split("\n\n", 1)[-1]
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                sentence = " ".join(sentence.split())
                if len(sentence.split()) >= 8:
                    pool.setdefault(sentence, None)
    return list(pool)


def real_text(rng, pool: list[str], sentences: int) -> str:
    """Return an article-like text: `sentences` sentences of the pool, in paragraphs of four."""
    picked = [pool[j] for j in rng.choice(len(pool), sentences, replace=False).tolist()]
    return "\n\n".join(" ".join(picked[i : i + 4]) for i in range(0, len(picked), 4))


def planted_articles(now) -> list:
    """Return the planted originals: real sentences, dated within the last 30 days."""
    from datetime import timedelta

    import numpy as np

    from tasks.extract import Article
    from tasks.urls import Candidate

    rng = np.random.default_rng([SEED, 10])
    pool = sentence_pool()
    articles = []
    for k in range(PLANTED):
        text = real_text(rng, pool, int(rng.integers(20, 36)))
        title = f"Planted story number {k} on China Russia relations"
        url = f"https://planted.example.com/2026/story-{k}"
        published = now - timedelta(days=float(rng.uniform(1, 25)))
        candidate = Candidate(
            canonical_url=url,
            url=url,
            origin="monitor",
            source="The Diplomat",
            title=title,
            published_at=published,
        )
        articles.append(
            Article(
                candidate=candidate,
                url=url,
                fetched_at=published,
                text=text,
                title=title,
                sitename="The Diplomat",
                language="en",
                published_at=published,
                date_source="page",
            )
        )
    return articles


def batch_articles(number: int, planted: list, now, prefix: str = "batch") -> list[tuple]:
    """Return batch `number` as (Article, expected duplicate_of or None): 45 fresh real-ish texts,
    4 near-copies of planted originals and a daily column's next edition; the same at every size."""
    from datetime import timedelta

    import numpy as np

    from tasks.extract import Article
    from tasks.urls import Candidate

    rng = np.random.default_rng([SEED, 11, number])
    pool = sentence_pool()
    out = []

    def article(url, title, source, text, published):
        candidate = Candidate(
            canonical_url=url,
            url=url,
            origin="monitor",
            source=source,
            title=title,
            published_at=published,
        )
        return Article(
            candidate=candidate,
            url=url,
            fetched_at=now,
            text=text,
            title=title,
            sitename=source,
            language="en",
            published_at=published,
            date_source="page",
        )

    for j, kind in enumerate(KINDS):
        original = planted[(number * len(KINDS) + j) % len(planted)]
        paragraphs = original.text.split("\n\n")
        if kind == "reformatted":  # other page chrome: the same words, re-wrapped
            text = " ".join(original.text.split())
        elif kind == "appended":  # an editor's paragraph added
            text = original.text + "\n\n" + real_text(rng, pool, 4)
        elif kind == "truncated":  # the first half only
            text = "\n\n".join(paragraphs[: max(1, len(paragraphs) // 2)])
        else:  # one sentence rewritten
            sentences = re.split(r"(?<=[.!?])\s+", original.text)
            at = len(sentences) // 2
            sentences[at] = real_text(rng, pool, 1)
            text = " ".join(sentences)
        url = f"https://{prefix}-{number}-copy-{j}.example.org/{kind}"
        copy = article(url, original.title, f"Mirror {j}", text, original.published_at)
        out.append((copy, original.candidate.canonical_url))
    series_title = COLUMN_TITLES[0]
    out.append(
        (
            article(
                f"https://tass.com/{prefix}-{number}/column",
                series_title,
                "TASS (English)",
                real_text(rng, pool, 12),
                now - timedelta(hours=2),
            ),
            None,
        )
    )
    for j in range(BATCH - len(out)):
        title = f"{prefix.capitalize()} {number} story {j}: " + " ".join(
            real_text(rng, pool, 1).split()[:6]
        )
        out.append(
            (
                article(
                    f"https://news{j % 7}.example.net/{prefix}-{number}/story-{j}",
                    title,
                    ["The Moscow Times", "Global Times", "DW — World", "Al Jazeera"][j % 4],
                    real_text(rng, pool, int(rng.integers(15, 35))),
                    now - timedelta(hours=float(rng.uniform(1, 20))),
                ),
                None,
            )
        )
    order = rng.permutation(len(out)).tolist()
    return [out[i] for i in order]


def outcome(loaded_or_assessed, expected: dict[str, str | None]) -> dict[str, int]:
    """Return counts of planted copies found / missed / wrong, and false duplicates."""
    counts = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for item in loaded_or_assessed:
        url = item.article.candidate.canonical_url
        want, got = expected[url], item.duplicate
        if want is None:
            counts["false"] += got is not None
        elif got is None:
            counts["missed"] += 1
        elif got.of == want:
            counts["found"] += 1
        else:
            counts["wrong"] += 1
    return counts


def seed_loader():
    """Return the function that loads the seed baseline outside a flow, wherever it lives."""
    try:
        from sinorus.baseline import load_seeds
    except ImportError:  # before the baseline moved out of tasks/seeds.py
        from tasks.seeds import load_seeds
    return load_seeds


# -- Building a lake ----------------------------------------------------------------------------


def other_tables(con, size: int, settings, end) -> None:
    """Insert feeds, runs and page failures in proportion to the size."""
    from datetime import timedelta

    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng([SEED, 20, size])
    feeds = []
    for k, feed in enumerate(settings.feeds):
        failed = k in (3, 11)
        feeds.append(
            (
                feed.url,
                feed.name,
                None,
                None,
                None,
                "failed" if failed else "ok",
                "HTTP 503" if failed else None,
                503 if failed else 200,
                25,
                end,
                end - timedelta(days=2 if failed else 0),
                4 if failed else 0,
            )
        )
    con.executemany(
        "insert into feeds (url, name, etag, last_modified, body_hash, last_status, last_error, "
        "http_status, entries_last, last_checked_at, last_ok_at, consecutive_failures) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        feeds,
    )
    runs = max(10, size // 100)
    started = [end - timedelta(minutes=30 * (runs - r)) for r in range(runs)]
    con.register(
        "bench_runs",
        pa.table(
            {
                "run_id": [f"{r:032x}" for r in range(runs)],
                "flow": ["monitor"] * runs,
                "started_at": pa.array(started, pa.timestamp("us")),
                "finished_at": pa.array(
                    [s + timedelta(minutes=3) for s in started], pa.timestamp("us")
                ),
                "status": ["completed"] * runs,
                "stored": [size // runs] * runs,
            }
        ),
    )
    con.execute("insert into runs by name select * from bench_runs")
    count = max(20, size // 50)
    last = [end - timedelta(hours=float(h)) for h in rng.uniform(0, 24 * 60, count)]
    con.register(
        "bench_failures",
        pa.table(
            {
                "canonical_url": [
                    f"https://failed{k % 50}.example.com/page-{k}" for k in range(count)
                ],
                "url": [f"https://failed{k % 50}.example.com/page-{k}" for k in range(count)],
                "origin": ["monitor"] * count,
                "stage": ["fetch"] * count,
                "reason": ["HTTP 404"] * count,
                "http_status": [404] * count,
                "transient": [False] * count,
                "attempts": [1] * count,
                "first_failed_at": pa.array(last, pa.timestamp("us")),
                "last_failed_at": pa.array(last, pa.timestamp("us")),
                # Not due yet: a run's plan is then exactly the entries it is given.
                "retry_after": pa.array(
                    [end + timedelta(hours=float(h)) for h in rng.uniform(2, 26, count)],
                    pa.timestamp("us"),
                ),
            }
        ),
    )
    con.execute("insert into page_failures by name select * from bench_failures")


def insert_tables(con, tables: list[dict]) -> None:
    """Insert concatenated chunk tables (articles, mentions, keys) on a writer connection."""
    import pyarrow as pa

    for name, target in (
        ("articles", "articles"),
        ("mentions", "keyword_mentions"),
        ("keys", "dedup_keys"),
    ):
        con.register("bench_rows", pa.concat_tables([t[name] for t in tables]))
        con.execute(f"insert into {target} by name select * from bench_rows")
        con.unregister("bench_rows")


def build(lake, size: int, settings, workers: int, end_ts: float) -> dict:
    """Return what went into a new lake of `size` synthetic articles, with the time it took."""
    from concurrent.futures import ProcessPoolExecutor
    from datetime import UTC, datetime
    from itertools import repeat
    from multiprocessing import get_context

    from warehouse import writer

    load_seeds = seed_loader()
    end = datetime.fromtimestamp(end_ts, UTC).replace(tzinfo=None)
    started = time.perf_counter()
    load_seeds(lake, settings)  # creates the lake, as a first run does
    firsts = list(range(0, size, CHUNK))
    counts = [min(CHUNK, size - f) for f in firsts]
    pending: list[dict] = []
    samples: list[dict] = []
    inserting = 0.0
    commits = 0

    def flush() -> None:
        nonlocal pending, inserting, commits
        mark = time.perf_counter()
        with writer(
            lake, "bench build", {"rows": sum(t["articles"].num_rows for t in pending)}
        ) as con:
            insert_tables(con, pending)
        inserting += time.perf_counter() - mark
        commits += 1
        pending = []

    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for tables in pool.map(
            make_chunk, firsts, counts, repeat(size), repeat(end_ts), repeat(settings.dedup)
        ):
            samples.extend(tables.pop("sample"))
            pending.append(tables)
            if sum(t["articles"].num_rows for t in pending) >= COMMIT_ROWS:
                flush()
                print(
                    f"    {min(size, commits * COMMIT_ROWS):,} articles in ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    if pending:
        flush()
    with writer(lake, "bench other tables") as con:
        other_tables(con, size, settings, end)
    return {
        "build_s": time.perf_counter() - started,
        "insert_s": inserting,
        "bulk_commits": commits,
        "samples": samples,
    }


def check_sample(lake, samples: list[dict], dedup) -> int:
    """Return how many sampled articles' stored fingerprints and keys equal the real ones."""
    from tasks.dedup import fingerprint, index_keys, to_bytes
    from warehouse import reader

    urls = [s["url"] for s in samples]
    with reader(lake) as con:
        stored = {
            row[0]: row[1:]
            for row in con.execute(
                "select canonical_url, text_hash, minhash, lead_minhash, shingles, title_key "
                "from articles where canonical_url in (select unnest($urls::varchar[]))",
                {"urls": urls},
            ).fetchall()
        }
        keys: dict[str, list[int]] = {}
        for url, key in con.execute(
            "select canonical_url, key from dedup_keys where canonical_url in (select unnest($urls::varchar[]))",
            {"urls": urls},
        ).fetchall():
            keys.setdefault(url, []).append(key)
    for s in samples:
        fp = fingerprint(s["text"], s["title"], s["source"], None, dedup)
        made = (fp.text_hash, to_bytes(fp.minhash), to_bytes(fp.lead), fp.shingles, fp.title_key)
        got = stored[s["url"]]
        if made != (got[0], bytes(got[1]), bytes(got[2]), got[3], got[4]):
            sys.exit(f"{s['url']}: the bulk fingerprint differs from fingerprint()")
        if sorted(index_keys(fp, dedup)) != sorted(keys.get(s["url"], [])):
            sys.exit(f"{s['url']}: the stored dedup_keys differ from index_keys()")
    return len(samples)


def tail_commits(lake, count: int, end_ts: float, dedup) -> float:
    """Return the seconds of `count` small commits of 50 synthetic articles: the last day's
    batches (the monitor every half hour), as they stand before the nightly maintenance."""
    from warehouse import writer

    per_day = 48 * BATCH
    total = per_day * DAYS
    started = time.perf_counter()
    for n in range(count):
        first = total - per_day + (n % 48) * BATCH
        tables = make_chunk(first, BATCH, total, end_ts, dedup, tag=f"t{n}-")
        tables.pop("sample")
        with writer(lake, "batch", {"run_id": f"tail{n}"}) as con:
            insert_tables(con, [tables])
    return time.perf_counter() - started


# -- Measurements -------------------------------------------------------------------------------

VIEWS = {
    "stories: count(*)": "select count(*) from stories",
    "stories: last 7 days": (
        "select day, source, title, relevance from stories "
        "where day >= current_date - 7 order by dated_at desc"
    ),
    "keyword_trends_daily: count(*)": "select count(*) from keyword_trends_daily",
    "keyword_trends_daily: 1 keyword, 90 days": (
        "select * from keyword_trends_daily "
        "where keyword = 'gas' and day >= current_date - 90 order by day"
    ),
    "feed_health: all": "select * from feed_health",
}


def readme_queries() -> dict[str, str]:
    """Return the README's "Five questions" SQL, verbatim (read from README.md, so never stale)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Five questions", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return {f"README question {i}": block for i, block in enumerate(blocks, 1)}


def time_queries(lake, repeat: int = 3) -> dict[str, dict]:
    """Return best and median seconds (and rows) of each view query and README query."""
    from warehouse import reader, sql

    queries = {
        **VIEWS,
        **readme_queries(),
        "sinorus trends (top_keywords.sql)": sql("top_keywords"),
    }
    results = {}
    with reader(lake) as con:
        for name, query in queries.items():
            params = {"days": 7, "top": 5, "scope": "news"} if "top_keywords" in name else None
            times = []
            for _ in range(repeat):
                mark = time.perf_counter()
                table = con.execute(query, params).to_arrow_table()
                times.append(time.perf_counter() - mark)
            results[name] = {
                "best": min(times),
                "median": statistics.median(times),
                "rows": table.num_rows,
            }
    return results


def time_lookup(lake, judged: list, dedup) -> dict[str, float]:
    """Return the seconds of decide_duplicates on a read connection, and of its SQL alone."""
    from tasks.load import candidate_rows, decide_duplicates
    from warehouse import reader

    with reader(lake) as con:
        mark = time.perf_counter()
        decided = decide_duplicates(con, judged, dedup)
        lookup = time.perf_counter() - mark
        mark = time.perf_counter()
        rows = candidate_rows(con, judged, dedup)
        query = time.perf_counter() - mark
    return {"lookup": lookup, "lookup_sql": query, "candidates": len(rows), "decided": decided}


def timed_write(lake, judged: list, run_id: str, dedup) -> dict[str, float]:
    """Return the seconds of each step of a batch commit: write_batch's SQL, timed one by one."""
    from tasks.assess import match_batch
    from tasks.dedup import build_index
    from tasks.load import article_table, candidate_rows, key_table, mention_table, url_table
    from warehouse import sql, writer

    steps: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = now - mark
        mark = now

    with writer(lake, "batch", {"run_id": run_id}) as con:
        mark = time.perf_counter()
        steps["lock + begin"] = mark - started
        urls = [item.article.candidate.canonical_url for item in judged]
        con.register("batch_urls", url_table(urls))
        stored = {row[0] for row in con.execute(sql("stored_urls")).fetchall()}
        fresh = [item for item in judged if item.article.candidate.canonical_url not in stored]
        lap("stored_urls")
        rows = candidate_rows(con, fresh, dedup)
        lap("dedup_candidates (SQL)")
        assessed = match_batch(fresh, build_index(rows, dedup))
        lap("build_index + match")
        originals = [item for item in assessed if item.duplicate is None]
        con.register("batch_articles", article_table(assessed, run_id))
        con.register("batch_mentions", mention_table(assessed))
        con.register("batch_keys", key_table(originals, dedup))
        lap("Arrow tables")
        con.execute(sql("insert_articles")).fetchone()
        lap("insert_articles")
        con.execute(sql("insert_mentions"))
        lap("insert_mentions")
        con.execute(sql("insert_dedup_keys"))
        lap("insert_dedup_keys")
        con.execute(sql("clear_failures"))
        lap("clear_failures")
    lap("commit")
    steps["total"] = time.perf_counter() - started
    return steps


def measure_batches(
    lake, settings, planted: list, stored: list, count: int, warmup: int, phases: int
) -> dict:
    """Return the lookup and commit times of `count` measured batches (after `warmup`), the
    planted copies found, and the step times of `phases` more batches.

    Every batch's decisions are also compared with those of an in-memory `DedupIndex` holding
    `stored` (the judged seeds and planted originals) and the earlier batches' originals.
    """
    from datetime import UTC, datetime

    from tasks.assess import judge_batch, match_batch
    from tasks.dedup import DedupIndex
    from tasks.load import load_batch

    reference = DedupIndex(settings.dedup)
    for item in stored:
        reference.add(item.article.candidate.canonical_url, item.fingerprint)
    agree = disagree = 0
    now = datetime.now(UTC).replace(tzinfo=None)
    judge_s, lookups, queries, commits, candidates = [], [], [], [], []
    found = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for number in range(warmup + count):
        pairs = batch_articles(number, planted, now)
        expected = {a.candidate.canonical_url: want for a, want in pairs}
        mark = time.perf_counter()
        judged = judge_batch([a for a, _ in pairs], settings)
        judged_s = time.perf_counter() - mark
        lookup = time_lookup(lake, judged, settings.dedup)
        mark = time.perf_counter()
        loaded = load_batch(lake, judged, [], f"bench{number:028d}", 24.0, settings.dedup)
        commit = time.perf_counter() - mark
        memory = {
            i.article.candidate.canonical_url: i.duplicate and i.duplicate.of
            for i in match_batch(judged, reference)
        }
        for item in loaded.assessed:
            same = memory[item.article.candidate.canonical_url] == (
                item.duplicate and item.duplicate.of
            )
            agree += same
            disagree += not same
        if number < warmup:
            continue
        judge_s.append(judged_s)
        lookups.append(lookup["lookup"])
        queries.append(lookup["lookup_sql"])
        candidates.append(lookup["candidates"])
        commits.append(commit)
        for key, value in outcome(loaded.assessed, expected).items():
            found[key] += value
        if loaded.inserted != BATCH:
            sys.exit(f"batch {number}: {loaded.inserted} of {BATCH} articles inserted")
    steps: dict[str, list[float]] = {}
    for number in range(warmup + count, warmup + count + phases):
        pairs = batch_articles(number, planted, now)
        judged = judge_batch([a for a, _ in pairs], settings)
        for name, seconds in timed_write(
            lake, judged, f"bench{number:028d}", settings.dedup
        ).items():
            steps.setdefault(name, []).append(seconds)
        match_batch(judged, reference)  # its originals, for later comparisons
    return reference, {
        "judge": statistics.median(judge_s),
        "lookup": statistics.median(lookups),
        "lookup_best": min(lookups),
        "lookup_sql": statistics.median(queries),
        "candidates": statistics.median(candidates),
        "commit": statistics.median(commits),
        "commit_best": min(commits),
        "commits": commits,
        "outcome": found,
        "agree": agree,
        "disagree": disagree,
        "steps": {name: statistics.median(v) for name, v in steps.items()},
    }


def lake_counts(lake) -> dict[str, int]:
    """Return the row counts of the big tables and the data files' bytes on disk."""
    from warehouse import reader

    counts = {}
    with reader(lake) as con:
        for table in ("articles", "keyword_mentions", "dedup_keys"):
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        counts["originals"] = con.execute(
            "select count(*) from articles where duplicate_of is null"
        ).fetchone()[0]
        counts["stories"] = con.execute("select count(*) from stories").fetchone()[0]
    counts["disk_bytes"] = sum(p.stat().st_size for p in Path(lake.data_path).rglob("*.parquet"))
    counts["disk_files"] = sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))
    return counts


def status_mb(field: str) -> float:
    """Return a memory field of /proc/self/status (VmRSS now, VmHWM peak), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- Prototypes of the fixes (bench tables only: the project's tables and queries are untouched) --

PROTO_WINDOW_DAYS = 30
# The keys with the time their original was stored (its fetched_at), in time order as the
# monitor writes them; the text-hash keys alone (every age); a 64-bit key per stored URL.
# Both are written with small row groups (DuckLake's parquet_row_group_size, per table), so that a
# time filter skips all but the newest few; proto_fingerprints holds what dedup_candidates reads
# of `articles` (the originals), as `articles` itself would with that option.
PROTO_TABLES = """
create table proto_keys (key bigint, canonical_url varchar, stored_at timestamp);
create table proto_fingerprints (
    canonical_url varchar, stored_at timestamp, text_hash varchar, minhash blob,
    lead_minhash blob, shingles integer, title_key varchar, published_at timestamp
)"""
PROTO_ROW_GROUPS = {"proto_keys": 65_536, "proto_fingerprints": 8_192}
PROTO_KEYS = """
insert into proto_keys
select dedup_keys.key, dedup_keys.canonical_url, articles.fetched_at
from dedup_keys
inner join articles using (canonical_url)
order by articles.fetched_at;
insert into proto_fingerprints
select canonical_url, fetched_at, text_hash, minhash, lead_minhash, shingles, title_key,
    published_at
from articles
where duplicate_of is null
order by fetched_at"""
# Keyword mentions carrying their story's day and whether it counts (relevant, not a duplicate):
# what load, rescore and re-extraction would write, so that trends need no join.
PROTO_MENTIONS = """
create table proto_mentions as
select
    cast(coalesce(articles.published_at, articles.fetched_at) as date) as day,
    keyword_mentions.keyword,
    keyword_mentions.canonical_url,
    keyword_mentions.mentions,
    articles.relevant and articles.duplicate_of is null as counted
from keyword_mentions
inner join articles using (canonical_url)
order by day"""
PROTO_TRENDS = """
create view proto_trends as
select day, keyword, count(*) as articles, sum(mentions) as mentions
from proto_mentions
where counted
group by day, keyword"""
# dedup_candidates, near-duplicate layers within the window: both scans skip older files and
# row groups by their min/max statistics.
PROTO_CANDIDATES = """
with matched as (
    select distinct proto_keys.canonical_url
    from proto_keys
    semi join batch_keys using (key)
    where proto_keys.stored_at >= $since
)

select
    proto_fingerprints.canonical_url,
    proto_fingerprints.text_hash,
    proto_fingerprints.minhash,
    proto_fingerprints.lead_minhash,
    proto_fingerprints.shingles,
    proto_fingerprints.title_key,
    proto_fingerprints.published_at
from proto_fingerprints
semi join matched using (canonical_url)
where proto_fingerprints.stored_at >= $since
order by proto_fingerprints.stored_at, proto_fingerprints.canonical_url"""
# Exact copies of any age: the text-hash keys alone, one 8-byte key per original.
PROTO_TEXT = "select key from proto_text semi join batch_text using (key)"
PROTO_TEXT_URLS = (
    "select key, canonical_url from proto_text where key in (select unnest($keys::bigint[]))"
)
# stored_urls on 8-byte keys (a URL's key matched is a URL stored: 2^-64 per pair to be wrong).
PROTO_STORED = "select key from proto_urls semi join batch_urls using (key)"


def proto_queries() -> dict[str, tuple[str, dict | None]]:
    """Return the daily-trend queries on `proto_trends`, and README 4 bounded to 30 days.

    (The README's questions and `sinorus trends` read the views' columns since issue 10 -- scope,
    stories, share -- which the prototype table does not have: they are timed on the views only.)
    """
    queries = {
        f"P {name}": (VIEWS[name].replace("keyword_trends_daily", "proto_trends"), None)
        for name in ["keyword_trends_daily: count(*)", "keyword_trends_daily: 1 keyword, 90 days"]
    }
    queries["P README 4, last 30 days"] = (
        """
select a.url, a.similarity, a.dup_method, o.title as original
from articles a join articles o on o.canonical_url = a.duplicate_of
where a.fetched_at > now() - interval 30 days order by a.fetched_at desc""",
        None,
    )
    return queries


def make_prototypes(lake) -> float:
    """Return the seconds it took to add the prototype tables and view to the lake."""
    import pyarrow as pa

    from tasks.dedup import _key
    from warehouse import reader, writer

    started = time.perf_counter()
    with reader(lake) as con:
        rows = con.execute(
            "select canonical_url, text_hash, duplicate_of is null from articles order by fetched_at"
        ).fetchall()
    text = pa.table(
        {
            "key": pa.array([_key(b"text", h.encode()) for _, h, o in rows if o], pa.int64()),
            "canonical_url": [u for u, _, o in rows if o],
        }
    )
    urls = pa.table(
        {
            "key": pa.array([_key(b"url", u.encode()) for u, _, _ in rows], pa.int64()),
            "canonical_url": [u for u, _, _ in rows],
        }
    )
    del rows
    with writer(lake, "bench prototype tables") as con:
        con.execute(PROTO_TABLES)
    with writer(lake, "bench prototype options") as con:
        alias = con.execute("select current_database()").fetchone()[0]
        for table, rows in PROTO_ROW_GROUPS.items():
            con.execute(
                f"call {alias}.set_option('parquet_row_group_size', {rows}, table_name => '{table}')"
            )
    with writer(lake, "bench prototypes") as con:
        con.execute(PROTO_KEYS)
        con.execute(PROTO_MENTIONS)
        con.execute(PROTO_TRENDS)
        con.register("bench_text", text)
        con.execute("create table proto_text as select * from bench_text")
        con.register("bench_urls", urls)
        con.execute("create table proto_urls as select * from bench_urls")
    return time.perf_counter() - started


def proto_write(lake, judged: list, run_id: str, dedup, window_days: float) -> tuple[dict, list]:
    """Return the step times of a batch commit as proposed, and the articles as decided.

    The same as write_batch but: stored URLs found by 8-byte keys; near-duplicate candidates
    only among originals stored within `window_days`; exact copies (text hash) of any age from
    the text keys alone; inserts without anti-joins (the batch's URLs were checked under the
    writer lock, as insert_dedup_keys already assumes).
    """
    from datetime import timedelta

    import pyarrow as pa

    from tasks.assess import match_batch
    from tasks.dedup import _key, build_index, index_keys, to_bytes
    from tasks.load import KEYS, article_table, key_table, mention_table, url_table
    from warehouse import sql, writer

    steps: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = now - mark
        mark = now

    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    since = now - timedelta(days=window_days)
    with writer(lake, "batch", {"run_id": run_id}) as con:
        mark = time.perf_counter()
        steps["lock + begin"] = mark - started
        urls = [item.article.candidate.canonical_url for item in judged]
        url_keys = [_key(b"url", u.encode()) for u in urls]
        con.register("batch_urls", pa.table({"key": pa.array(url_keys, pa.int64())}))
        found = {row[0] for row in con.execute(PROTO_STORED).fetchall()}
        fresh = [item for item, key in zip(judged, url_keys, strict=True) if key not in found]
        lap("stored_urls (8-byte keys)")
        con.register("batch_keys", key_table(fresh, dedup))
        rows = con.execute(PROTO_CANDIDATES, {"since": since}).fetchall()
        lap(f"candidates within {window_days:.0f} days (SQL)")
        text_keys = {_key(b"text", item.fingerprint.text_hash.encode()): item for item in fresh}
        con.register("batch_text", pa.table({"key": pa.array(list(text_keys), pa.int64())}))
        # Copies of originals already among the candidates need no second look.
        within = {_key(b"text", row[1].encode()) for row in rows}
        matched = [row[0] for row in con.execute(PROTO_TEXT).fetchall() if row[0] not in within]
        older = []
        if matched:
            # An exact copy needs no stored signatures: its text is the batch article's own.
            for key, url in con.execute(PROTO_TEXT_URLS, {"keys": matched}).fetchall():
                fp = text_keys[key].fingerprint
                minhash, lead = to_bytes(fp.minhash), to_bytes(fp.lead)
                older.append((url, fp.text_hash, minhash, lead, fp.shingles, None, None))
        lap("exact copies, any age (SQL)")
        assessed = match_batch(fresh, build_index(older + rows, dedup))
        lap("build_index + match")
        originals = [item for item in assessed if item.duplicate is None]
        keys = key_table(originals, dedup)
        stored_at = {i.article.candidate.canonical_url: i.article.fetched_at for i in originals}
        con.register("batch_articles", article_table(assessed, run_id))
        con.register("batch_mentions", mention_table(assessed))
        con.register("batch_keys", keys)
        con.register(
            "batch_proto_keys",
            keys.append_column(
                "stored_at",
                pa.array(
                    [stored_at[u] for u in keys.column("canonical_url").to_pylist()],
                    pa.timestamp("us"),
                ),
            ),
        )
        con.register(
            "batch_proto_mentions",
            pa.table(
                {
                    "day": pa.array(
                        [
                            (i.article.published_at or i.article.fetched_at).date()
                            for i in assessed
                            for _ in i.mentions
                        ],
                        pa.date32(),
                    ),
                    "keyword": [k for i in assessed for k in i.mentions],
                    "canonical_url": [
                        i.article.candidate.canonical_url for i in assessed for _ in i.mentions
                    ],
                    "mentions": pa.array(
                        [n for i in assessed for n in i.mentions.values()], pa.int32()
                    ),
                    "counted": [i.stored_as_story for i in assessed for _ in i.mentions],
                }
            ),
        )
        con.register(
            "batch_proto_text",
            pa.table(
                {
                    "key": pa.array(
                        [index_keys(i.fingerprint, dedup)[0] for i in originals], pa.int64()
                    ),
                    "canonical_url": [i.article.candidate.canonical_url for i in originals],
                },
                schema=KEYS,
            ),
        )
        con.register(
            "batch_proto_urls",
            pa.table(
                {
                    "key": pa.array(
                        [
                            _key(b"url", i.article.candidate.canonical_url.encode())
                            for i in assessed
                        ],
                        pa.int64(),
                    ),
                    "canonical_url": [i.article.candidate.canonical_url for i in assessed],
                }
            ),
        )
        lap("Arrow tables")
        con.execute("insert into articles by name select * from batch_articles")
        con.execute("insert into keyword_mentions by name select * from batch_mentions")
        con.execute(sql("insert_dedup_keys"))
        lap("inserts: articles, mentions, dedup_keys")
        con.execute("insert into proto_keys by name select * from batch_proto_keys")
        con.execute(
            "insert into proto_fingerprints by name select canonical_url, fetched_at as stored_at, "
            "text_hash, minhash, lead_minhash, shingles, title_key, published_at "
            "from batch_articles where duplicate_of is null"
        )
        con.execute("insert into proto_mentions by name select * from batch_proto_mentions")
        con.execute("insert into proto_text by name select * from batch_proto_text")
        con.execute("insert into proto_urls by name select * from batch_proto_urls")
        lap("inserts: the prototype tables")
        con.register("batch_urls", url_table(urls))  # the prototype's own batch_urls holds keys
        con.execute(sql("clear_failures"))
        lap("clear_failures")
    lap("commit")
    steps["total"] = time.perf_counter() - started
    return steps, assessed


def measure_prototypes(lake, settings, planted: list, reference, count: int, repeat: int) -> dict:
    """Return the prototype queries' times and the proposed batch commit's, `count` batches."""
    from datetime import UTC, datetime

    from tasks.assess import judge_batch, match_batch
    from warehouse import reader

    result: dict = {"build_s": make_prototypes(lake)}
    queries = {}
    with reader(lake) as con:
        for name, (query, params) in proto_queries().items():
            times = []
            for _ in range(repeat):
                mark = time.perf_counter()
                table = con.execute(query, params).to_arrow_table()
                times.append(time.perf_counter() - mark)
            queries[name] = {
                "best": min(times),
                "median": statistics.median(times),
                "rows": table.num_rows,
            }
        window = con.execute(
            f"select count(*) from articles where fetched_at >= now() - interval {PROTO_WINDOW_DAYS} days"
        ).fetchone()[0]
    result["queries"] = queries
    result["window_articles"] = window
    now = datetime.now(UTC).replace(tzinfo=None)
    steps: dict[str, list[float]] = {}
    agree = disagree = 0
    found = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for number in range(200, 200 + count):
        pairs = batch_articles(number, planted, now)
        expected = {a.candidate.canonical_url: want for a, want in pairs}
        judged = judge_batch([a for a, _ in pairs], settings)
        timed, assessed = proto_write(
            lake, judged, f"proto{number:027d}", settings.dedup, PROTO_WINDOW_DAYS
        )
        for name, seconds in timed.items():
            steps.setdefault(name, []).append(seconds)
        memory = {
            i.article.candidate.canonical_url: i.duplicate and i.duplicate.of
            for i in match_batch(judged, reference)
        }
        for item in assessed:
            same = memory[item.article.candidate.canonical_url] == (
                item.duplicate and item.duplicate.of
            )
            agree += same
            disagree += not same
        for key, value in outcome(assessed, expected).items():
            found[key] += value
    # The windowed lookup alone, with a window holding the same number of stored articles at
    # every size: what it costs when the ingest rate, not the lake's size, sets the window.
    from tasks.load import key_table

    with reader(lake) as con:
        since = con.execute(
            "select min(fetched_at) from (select fetched_at from articles "
            "order by fetched_at desc limit 1000)"
        ).fetchone()[0]
        con.register("batch_keys", key_table(judged, settings.dedup))
        times = []
        for _ in range(repeat):
            mark = time.perf_counter()
            con.execute(PROTO_CANDIDATES, {"since": since}).fetchall()
            times.append(time.perf_counter() - mark)
        con.unregister("batch_keys")
    result["fixed_window_sql"] = statistics.median(times)
    run = run_child("proto", lake, Path(os.devnull))
    result["run_peak_mb"] = run["peak_mb"]
    result["run_commit"] = statistics.median(run["commits"])
    result["steps"] = {name: statistics.median(v) for name, v in steps.items()}
    result["commit"] = result["steps"]["total"]
    result["agree"], result["disagree"], result["outcome"] = agree, disagree, found
    return result


# -- Child processes: a run's start-up, and a run-like process's memory ----------------------------


def proto_child(catalog: str) -> None:
    """Print one JSON line: the peak memory of 5 batches of 50 committed as proposed."""
    from datetime import UTC, datetime

    from config import load_settings
    from tasks.assess import judge_batch
    from tasks.location import lake_of
    from warehouse import ensure_warehouse

    settings = load_settings().with_db(catalog)
    lake = lake_of(settings)
    ensure_warehouse(lake)
    now = datetime.now(UTC).replace(tzinfo=None)
    planted = planted_articles(now)
    commits = []
    for number in range(3000, 3005):
        pairs = batch_articles(number, planted, now, prefix="protorun")
        judged = judge_batch([a for a, _ in pairs], settings)
        steps, _ = proto_write(lake, judged, f"protorun{number}", settings.dedup, PROTO_WINDOW_DAYS)
        commits.append(steps["total"])
    print(json.dumps({"peak_mb": status_mb("VmHWM"), "commits": commits, "ready_at": time.time()}))


def child(mode: str, catalog: str, known_file: str) -> None:
    """Print one JSON line: the start-up steps (mode 'startup') or a run's memory (mode 'run')."""
    import resource

    if mode == "proto":
        proto_child(catalog)
        return

    marks = {"process": time.time()}
    t0 = time.perf_counter()
    import prefect  # noqa: F401  (what every run imports first, apart)

    marks["import prefect"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    from config import load_settings
    from tasks.feeds import FeedResult
    from tasks.location import lake_of
    from tasks.plan import feed_states, plan_candidates
    from tasks.runs import finish_run, start_run
    from tasks.urls import Candidate
    from warehouse import ensure_warehouse

    if mode == "run":
        from tasks.assess import judge_batch
        from tasks.fetch import Failure
        from tasks.load import load_batch
        from tasks.urls import batches
    load_seeds = seed_loader()
    marks["import project"] = time.perf_counter() - t1
    rss_imported = status_mb("VmRSS")

    steps = {}

    def step(name, fn, *args):
        mark = time.perf_counter()
        value = fn(*args)
        steps[name] = time.perf_counter() - mark
        return value

    settings = step("load_settings", lambda: load_settings().with_db(catalog))
    lake = lake_of(settings)
    step("ensure_warehouse", ensure_warehouse, lake)
    step("load_seeds", load_seeds, lake, settings)
    summary = step("start_run", start_run, lake, "monitor")
    step("feed_states", feed_states, lake)
    known = json.loads(Path(known_file).read_text())
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    feed = settings.feeds[0]
    if mode == "startup":
        urls = known[:10] + [f"https://startup.example.org/new-{k}" for k in range(40)]
        entries = [
            Candidate(
                canonical_url=u,
                url=u,
                origin="monitor",
                source=feed.name,
                title="t",
                published_at=now,
            )
            for u in urls
        ]
    else:
        planted = planted_articles(now)  # the same texts as the size's lake holds
        pairs = [p for n in range(5) for p in batch_articles(1000 + n, planted, now, prefix="run")]
        by_url = {a.candidate.canonical_url: a for a, _ in pairs}
        entries = [a.candidate for a, _ in pairs]
    feeds = [FeedResult(feed=feed, status="ok", entries=entries)]
    plan = step("plan_candidates", plan_candidates, lake, feeds, "monitor")
    candidates = getattr(plan, "candidates", plan)  # a Plan, or (before it) the list itself
    ready = time.time()
    result = {
        "mode": mode,
        "marks": marks,
        "steps": steps,
        "ready_at": ready,
        "candidates": len(candidates),
        "rss_imported_mb": rss_imported,
        "rss_planned_mb": status_mb("VmRSS"),
    }
    if mode == "run":
        commits = []
        for batch in batches(candidates, BATCH):
            # A failure due again has no article here: it fails again (404), as a dead link does.
            failures = [
                Failure(candidate=c, stage="fetch", reason="HTTP 404", http_status=404)
                for c in batch
                if c.canonical_url not in by_url
            ]
            articles = [by_url[c.canonical_url] for c in batch if c.canonical_url in by_url]
            judged = judge_batch(articles, settings)
            mark = time.perf_counter()
            loaded = load_batch(lake, judged, failures, summary.run_id, 24.0, settings.dedup)
            commits.append(time.perf_counter() - mark)
            summary.add_batch(len(batch), failures, loaded)
        finish_run(lake, summary, feeds)
        result.update(
            commits=commits,
            stored=summary.stored,
            duplicates=summary.duplicates,
            peak_mb=status_mb("VmHWM"),
            ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            rss_end_mb=status_mb("VmRSS"),
        )
    print(json.dumps(result))


def run_child(mode: str, lake, known_file: Path) -> dict:
    """Return the child's JSON and its wall times (to ready, and to exit), run as a fresh process."""
    started = time.time()
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            mode,
            lake.catalog,
            str(known_file),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=tempfile.gettempdir(),
    )
    ended = time.time()
    if done.returncode != 0:
        sys.exit(f"{mode} child failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_ready"] = result["ready_at"] - started
    result["wall_exit"] = ended - started
    if "marks" in result:
        result["interpreter"] = result["marks"]["process"] - started
    return result


# -- One size, and the whole table ----------------------------------------------------------------


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

    mark = time.perf_counter()
    report = maintain(lake, settings.warehouse.keep_snapshots_days)
    result["maintain_s"] = time.perf_counter() - mark
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


def ratio(values: list[float]) -> str:
    return f"{values[-1] / values[0]:.2f}x" if len(values) > 1 and values[0] else ""


def table(results: list[dict]) -> None:
    """Print every measurement by size, with the ratio of the largest to the smallest size."""
    sizes = [r["size"] for r in results]
    width = 44
    head = f"{'':<{width}}" + "".join(f"{n:>12,}" for n in sizes) + f"{'ratio':>9}  goal"
    print("\n" + head)
    print("-" * len(head))

    def row(label: str, values: list[float], fmt: str = "{:.3f}", goal: str = "", show_ratio=True):
        cells = "".join(f"{fmt.format(v):>12}" for v in values)
        print(f"{label:<{width}}{cells}{ratio(values) if show_ratio else '':>9}  {goal}")

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
        child(*args.child)
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
            mark = time.perf_counter()
            subprocess.run(command, check=True)
            results.append(json.loads(Path(tmp, f"result{size}.json").read_text()))
            results[-1]["wall_s"] = time.perf_counter() - mark
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
