"""Duplicates, in layers: exact text hash, near-duplicate text (MinHash-LSH), short copies (sampled
shingles), same source and title.

Canonical URLs, the first layer, are handled before fetching (tasks/plan.py). Near-duplicates are
found with two LSH indexes over MinHash signatures of word shingles: one of the whole text, one of
its lead, so that a copy cut to its first half still meets its original. A candidate is confirmed
by the estimated Jaccard similarity of the whole texts, or by the estimated containment of the
shorter text in the longer one (a truncated copy, or one with a paragraph added).

A short copy (a fifth of an article, a teaser) is too small a part of its original for either
signature. Every text therefore keeps a consistent sample of its shingles, "pieces": the shingles
whose hash falls below a ceiling that depends only on the text's shingle count (one in
`copy_sample`, and at most about `copy_keys` pieces for a long text). A copy's pieces below its
original's ceiling are exactly the original's pieces when the text is the same, wherever the copy
was cut from; so the share of them found in the original estimates the containment of the copy in
it, and the pieces are index keys (layer `piece`) that find it.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rensa import RMinHash, RMinHashLSH

from config.settings import Dedup
from tasks.records import Duplicate, Fingerprint

# Signatures are only comparable under one seed; it is part of the stored format.
MINHASH_SEED = 20230320
WORD = re.compile(r"\w+")
TITLE_RECENT = 16
HALF = 1 << 63
SPAN = 1 << 64


@dataclass(frozen=True, kw_only=True)
class Print(Fingerprint):
    """A fingerprint with its pieces: the sampled shingle keys that find and confirm short copies.

    A stored original read back from the warehouse holds only the pieces it shares with the batch
    (all a batch's copies can meet).
    """

    pieces: frozenset[int] = frozenset()


def words(text: str) -> list[str]:
    """Return the text's words, lowercased: the form all comparisons use."""
    return WORD.findall(text.lower())


def text_hash(text: str) -> str:
    """Return the SHA-1 of the normalised text (words only, lowercase, single spaces)."""
    return words_hash(words(text))


def words_hash(tokens: list[str]) -> str:
    """Return text_hash of a text whose words() are `tokens`."""
    return hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()


def shingles(tokens: list[str], size: int) -> set[str]:
    """Return the distinct runs of `size` consecutive tokens (the whole list if it is shorter)."""
    if len(tokens) <= size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def signature(items: Iterable[str], dedup: Dedup) -> RMinHash:
    """Return the MinHash signature of a set of shingles."""
    minhash = RMinHash(num_perm=dedup.num_perm, seed=MINHASH_SEED)
    minhash.update(list(items))
    return minhash


def title_key(source: str | None, title: str | None, dedup: Dedup) -> str | None:
    """Return 'source|normalised title', or None when the title is too short to identify a story."""
    tokens = words(title or "")
    if not source or len(tokens) < dedup.title_min_words:
        return None
    return f"{source.strip().lower()}|{' '.join(tokens)}"


def piece_ceiling(count: int, dedup: Dedup) -> int:
    """Return the key below which a text of `count` distinct shingles keeps its shingles as pieces.

    One in `copy_sample`, fewer in a long text so that it keeps about `copy_keys`: a function of the
    count only, so that any reader of a stored original knows its ceiling.
    """
    return -HALF + min(SPAN // dedup.copy_sample, SPAN * dedup.copy_keys // max(count, 1))


def pieces(full: set[str], dedup: Dedup) -> frozenset[int]:
    """Return the keys of the text's sampled shingles (all below its ceiling)."""
    # Unsigned hash minus 2^63: key order is hash order, so "below the ceiling" is a sample.
    bound = piece_ceiling(len(full), dedup) + HALF
    # Digests of one length compare as bytes in the order of their numbers: only the sampled few
    # become numbers (a ninth byte puts the bound 2^64 above every digest).
    limit = bound.to_bytes(8, "big") if bound < SPAN else b"\xff" * 9
    digests = (hashlib.blake2b(b"piece|" + s.encode(), digest_size=8).digest() for s in full)
    return frozenset(int.from_bytes(d, "big") - HALF for d in digests if d < limit)


def fingerprint(
    text: str, title: str | None, source: str | None, published: datetime | None, dedup: Dedup
) -> Print:
    """Return the fingerprint of an article, with its pieces."""
    tokens = words(text)
    full = shingles(tokens, dedup.shingle_words)
    return Print(
        text_hash=words_hash(tokens),
        minhash=signature(full, dedup),
        lead=signature(shingles(tokens[: dedup.lead_words], dedup.shingle_words), dedup),
        shingles=len(full),
        title_key=title_key(source, title, dedup),
        published=published.date() if published else None,
        pieces=pieces(full, dedup),
    )


def pieces_of(fp: Fingerprint) -> frozenset[int]:
    """Return the fingerprint's pieces (none for one made without them, e.g. by an import)."""
    return fp.pieces if isinstance(fp, Print) else frozenset()


def to_bytes(minhash: RMinHash) -> bytes:
    """Return the signature serialised for the warehouse."""
    return bytes(minhash.__getstate__())


def from_bytes(blob: bytes, dedup: Dedup) -> RMinHash:
    """Return the signature stored as `blob`."""
    minhash = RMinHash(num_perm=dedup.num_perm, seed=MINHASH_SEED)
    minhash.__setstate__(bytes(blob))
    return minhash


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Return the share of the smaller shingle set inside the larger, estimated from Jaccard.

    |A ∩ B| = J (|A| + |B|) / (1 + J), divided by the smaller set's size.
    """
    smaller = min(size_a, size_b)
    if smaller <= 0:
        return 0.0
    return min(1.0, jaccard * (size_a + size_b) / ((1.0 + jaccard) * smaller))


class DedupIndex:
    """Every original article seen so far, in the layers that find its duplicates."""

    def __init__(self, dedup: Dedup) -> None:
        self.dedup = dedup
        self._full = RMinHashLSH(dedup.threshold, dedup.num_perm, dedup.bands)
        self._lead = RMinHashLSH(dedup.threshold, dedup.num_perm, dedup.bands)
        self._keys: list[str] = []
        self._prints: list[Fingerprint] = []
        self._hashes: dict[str, str] = {}
        self._pieces: dict[int, list[int]] = defaultdict(list)
        # Only the latest few of a recurring title can fall within the window (the index is
        # built in arrival order): a daily column must not make every new edition scan them all.
        self._titles: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=TITLE_RECENT))

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index an original article under `key` (its canonical URL)."""
        slot = len(self._keys)
        self._keys.append(key)
        self._prints.append(fp)
        self._hashes.setdefault(fp.text_hash, key)
        self._full.insert(slot, fp.minhash)
        self._lead.insert(slot, fp.lead)
        if fp.title_key:
            self._titles[fp.title_key].append(slot)
        for piece in pieces_of(fp):
            self._pieces[piece].append(slot)

    def _near(self, fp: Fingerprint) -> Duplicate | None:
        dedup, best = self.dedup, None
        candidates = set(self._full.query(fp.minhash)) | set(self._lead.query(fp.lead))
        for slot in candidates:
            other = self._prints[slot]
            jaccard = fp.minhash.jaccard(other.minhash)
            if jaccard >= dedup.threshold:
                found = Duplicate(
                    of=self._keys[slot], similarity=round(jaccard, 4), method="minhash"
                )
            elif min(fp.shingles, other.shingles) >= dedup.containment_min_shingles:
                share = containment(jaccard, fp.shingles, other.shingles)
                if share < dedup.containment_threshold:
                    continue
                found = Duplicate(
                    of=self._keys[slot], similarity=round(share, 4), method="containment"
                )
            else:
                continue
            if best is None or found.similarity > best.similarity:
                best = found
        return best

    def _copy(self, fp: Fingerprint) -> Duplicate | None:
        """Return the original this text is a short copy of: enough shared pieces, and most of
        the text's pieces (below the original's ceiling) among them."""
        dedup, best, own = self.dedup, None, pieces_of(fp)
        if fp.shingles < dedup.copy_min_words - dedup.shingle_words + 1:
            return None
        shared: dict[int, int] = defaultdict(int)
        for piece in own:
            for slot in self._pieces.get(piece, ()):
                shared[slot] += 1
        for slot, count in shared.items():
            if count < dedup.copy_min_shared:
                continue
            ceiling = piece_ceiling(self._prints[slot].shingles, dedup)
            share = count / sum(1 for piece in own if piece < ceiling)
            if share >= dedup.copy_containment and (best is None or share > best.similarity):
                best = Duplicate(
                    of=self._keys[slot], similarity=round(share, 4), method="containment"
                )
        return best

    def _same_title(self, fp: Fingerprint) -> Duplicate | None:
        dedup = self.dedup
        for slot in reversed(self._titles.get(fp.title_key or "", ())):
            other = self._prints[slot]
            apart = (
                abs((fp.published - other.published).days)
                if fp.published and other.published
                else 0
            )
            if apart > dedup.title_window_days:
                continue
            jaccard = fp.minhash.jaccard(other.minhash)
            # A daily column keeps its title; an updated story keeps some of its text.
            if jaccard >= dedup.title_min_similarity:
                return Duplicate(of=self._keys[slot], similarity=round(jaccard, 4), method="title")
        return None

    def match(self, fp: Fingerprint) -> Duplicate | None:
        """Return the indexed article this one repeats, trying the cheapest layer first, or None."""
        if fp.text_hash in self._hashes:
            return Duplicate(of=self._hashes[fp.text_hash], similarity=1.0, method="text_hash")
        return self._near(fp) or self._copy(fp) or self._same_title(fp)


def stored_fingerprint(row: tuple, dedup: Dedup) -> tuple[str, Print]:
    """Return (canonical_url, fingerprint) from a row of dedup_candidate_prints.sql (its pieces:
    those shared with the batch, when the row has them)."""
    key, digest, full, lead, count, title, published, *shared = row
    return key, Print(
        text_hash=digest,
        minhash=from_bytes(full, dedup),
        lead=from_bytes(lead, dedup),
        shingles=count,
        title_key=title,
        published=published.date() if published else None,
        pieces=frozenset(shared[0] or ()) if shared else frozenset(),
    )


def _key(layer: bytes, value: bytes) -> int:
    return int.from_bytes(
        hashlib.blake2b(layer + b"|" + value, digest_size=8).digest(), "big", signed=True
    )


def _band_keys(layer: bytes, minhash: RMinHash, dedup: Dedup) -> list[int]:
    values = minhash.digest()
    rows = dedup.num_perm // dedup.bands
    return [
        _key(
            layer + b"%d" % band, struct.pack(f"<{rows}I", *values[band * rows : (band + 1) * rows])
        )
        for band in range(dedup.bands)
    ]


def index_keys(fp: Fingerprint, dedup: Dedup) -> list[int]:
    """Return the keys an original is found under: text hash, title key, every LSH band of both
    signatures, its pieces (the warehouse's `dedup_keys`).

    Two texts share a band key when their signatures agree on all of that band's rows: the
    same candidate rule as an LSH index with `dedup.bands` bands. Pieces are a candidate only
    when `copy_min_shared` of them are shared (dedup_candidates.sql, given `piece_keys`).
    """
    keys = [_key(b"text", fp.text_hash.encode())]
    if fp.title_key:
        keys.append(_key(b"title", fp.title_key.encode()))
    bands = _band_keys(b"full", fp.minhash, dedup) + _band_keys(b"lead", fp.lead, dedup)
    return keys + bands + sorted(pieces_of(fp))


def piece_keys(prints: Iterable[Fingerprint]) -> list[int]:
    """Return the distinct pieces of the fingerprints, sorted: which of a batch's keys are pieces."""
    return sorted(set().union(*(pieces_of(fp) for fp in prints)))


def build_index(rows: Iterable[tuple], dedup: Dedup) -> DedupIndex:
    """Return an index of the stored originals, from rows of the dedup_index query."""
    index = DedupIndex(dedup)
    for row in rows:
        index.add(*stored_fingerprint(row, dedup))
    return index
