"""Synthetic stored articles, made in bulk: what fills the bench lake.

N articles over the DAYS before the run, in time order: canonical URLs, titles, ~60 sources, five
languages, ~60% relevant, ~10% duplicates (`duplicate_of` set to an earlier original), ~5 keyword
mentions each, SERIES daily columns (one source, one title, every day), and for every original its
duplicate-index keys (`dedup_keys`). Texts are short (130-400 pseudo-words from a Zipf
vocabulary); their MinHash signatures are made in bulk with `RMinHash.from_token_sets` from the
very shingle strings `fingerprint()` makes, and the keys with the real `index_keys` digest bytes
(build.check_sample compares a sample with both).
"""

from __future__ import annotations

from bench.lakebench.shape import COLUMN_TITLES, DAYS, SEED, SERIES

DUPLICATES = 0.10
RELEVANT = 0.60
MENTIONS_MEAN = 5.0  # keyword mentions per article (Poisson mean)
VOCABULARY = 20_000
MIN_WORDS, MAX_WORDS = 130, 400
CHUNK = 20_000  # articles per generation task


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
    from tasks.duplicates import KEYS
    from tasks.load import ARTICLES, MENTIONS

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
