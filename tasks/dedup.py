"""Duplicates: exact (normalised-text hash) and near (MinHash-LSH over word shingles)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rensa import RMinHash, RMinHashLSH

from config.settings import Dedup

# Signatures are only comparable under one seed; it is part of the stored format.
MINHASH_SEED = 20230320
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Duplicate:
    """The earlier article a text repeats, how similar they are, and how it was found."""

    of: str
    similarity: float
    method: str  # text_hash | minhash


def words(text: str) -> list[str]:
    """Return the text's words, lowercased: the form all comparisons use."""
    return WORD.findall(text.lower())


def text_hash(text: str) -> str:
    """Return the SHA-1 of the normalised text (words only, lowercase, single spaces)."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(text: str, size: int) -> list[str]:
    """Return the text's overlapping runs of `size` words (the whole text if it is shorter)."""
    tokens = words(text)
    if len(tokens) <= size:
        return [" ".join(tokens)]
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def signature(text: str, dedup: Dedup) -> RMinHash:
    """Return the MinHash signature of the text's shingles."""
    minhash = RMinHash(num_perm=dedup.num_perm, seed=MINHASH_SEED)
    minhash.update(shingles(text, dedup.shingle_words))
    return minhash


def to_bytes(minhash: RMinHash) -> bytes:
    """Return the signature serialised for the warehouse."""
    return bytes(minhash.__getstate__())


def from_bytes(blob: bytes, dedup: Dedup) -> RMinHash:
    """Return the signature stored as `blob`."""
    minhash = RMinHash(num_perm=dedup.num_perm, seed=MINHASH_SEED)
    minhash.__setstate__(bytes(blob))
    return minhash


class DedupIndex:
    """Every original article seen so far: its text hash and its signature in an LSH index."""

    def __init__(self, dedup: Dedup) -> None:
        self.dedup = dedup
        self._lsh = RMinHashLSH(dedup.threshold, dedup.num_perm, dedup.bands)
        self._keys: list[str] = []
        self._signatures: list[RMinHash] = []
        self._hashes: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, canonical_url: str, digest: str, minhash: RMinHash) -> None:
        """Index an original article."""
        self._hashes.setdefault(digest, canonical_url)
        self._lsh.insert(len(self._keys), minhash)
        self._keys.append(canonical_url)
        self._signatures.append(minhash)

    def match(self, digest: str, minhash: RMinHash) -> Duplicate | None:
        """Return the indexed article this text repeats, or None."""
        if digest in self._hashes:
            return Duplicate(self._hashes[digest], 1.0, "text_hash")
        best_key, best = None, 0.0
        for key in self._lsh.query(minhash):
            similarity = minhash.jaccard(self._signatures[key])
            if similarity > best:
                best_key, best = key, similarity
        if best_key is not None and best >= self.dedup.threshold:
            return Duplicate(self._keys[best_key], round(best, 4), "minhash")
        return None


def build_index(rows: Iterable[tuple[str, str, bytes]], dedup: Dedup) -> DedupIndex:
    """Return an index of the stored originals, given as (canonical_url, text_hash, minhash)."""
    index = DedupIndex(dedup)
    for canonical, digest, blob in rows:
        index.add(canonical, digest, from_bytes(blob, dedup))
    return index
