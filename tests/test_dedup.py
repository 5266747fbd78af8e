"""Tests of tasks/dedup.py: exact and near duplicates, over the seed corpus and variants of it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from config import load_settings
from tasks.assess import assess_batch
from tasks.dedup import (
    DedupIndex,
    Duplicate,
    build_index,
    from_bytes,
    shingles,
    signature,
    text_hash,
    to_bytes,
    words,
)
from tasks.extract import Article
from tasks.seeds import read_seed_corpus

SETTINGS = load_settings()
DEDUP = SETTINGS.dedup
SEEDS = read_seed_corpus()
SEED_IDS = [a.candidate.canonical_url.removeprefix("seed://") for a in SEEDS]
BOILERPLATE = [
    "Read more: the latest news from the region",
    "Subscribe to our newsletter for daily updates",
    "Advertisement",
    "Read more",
]


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def reformatted(text: str) -> str:
    """Return the text with other whitespace, case and punctuation, but the same words."""
    text = re.sub(r"[^\w\s]", " ; ", text)
    return re.sub(r"\s+", "\n   ", text).upper()


def paragraph_removed(text: str) -> str:
    """Return the text without one body paragraph of about 40 words."""
    paras = paragraphs(text)
    cut = min(range(1, len(paras)), key=lambda i: abs(len(words(paras[i])) - 40))
    return "\n\n".join(paras[:cut] + paras[cut + 1 :])


def boilerplate_inserted(text: str) -> str:
    """Return the text with "Read more" / "Subscribe" lines between some paragraphs."""
    paras = paragraphs(text)
    step = max(1, len(paras) // (len(BOILERPLATE) + 1))
    for n, line in enumerate(BOILERPLATE, start=1):
        paras.insert(min(len(paras), n * step + n - 1), line)
    return "\n\n".join(paras)


def seeded_index() -> DedupIndex:
    index = DedupIndex(DEDUP)
    for seed in SEEDS:
        index.add(seed.candidate.canonical_url, text_hash(seed.text), signature(seed.text, DEDUP))
    return index


def match(index: DedupIndex, text: str) -> Duplicate | None:
    return index.match(text_hash(text), signature(text, DEDUP))


def test_seed_corpus_is_five_articles() -> None:
    assert len(SEEDS) == 5
    assert all(len(words(seed.text)) > 500 for seed in SEEDS)


def test_seeds_are_not_duplicates_of_each_other() -> None:
    index = DedupIndex(DEDUP)
    for seed in SEEDS:
        digest, minhash = text_hash(seed.text), signature(seed.text, DEDUP)
        assert index.match(digest, minhash) is None, seed.candidate.canonical_url
        index.add(seed.candidate.canonical_url, digest, minhash)
    assert len(index) == 5


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_reformatted_seed_is_a_text_hash_duplicate(seed: Article) -> None:
    variant = reformatted(seed.text)
    assert variant != seed.text
    assert text_hash(variant) == text_hash(seed.text)
    assert match(seeded_index(), variant) == Duplicate(
        seed.candidate.canonical_url, 1.0, "text_hash"
    )


@pytest.mark.parametrize("edit", [paragraph_removed, boilerplate_inserted])
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_edited_seed_is_a_minhash_duplicate(seed: Article, edit) -> None:
    variant = edit(seed.text)
    assert text_hash(variant) != text_hash(seed.text)
    found = match(seeded_index(), variant)
    assert found is not None
    assert found.of == seed.candidate.canonical_url
    assert found.method == "minhash"
    assert DEDUP.threshold <= found.similarity <= 1.0


def test_a_different_text_is_not_a_duplicate() -> None:
    index = DedupIndex(DEDUP)
    first, second = SEEDS[0], SEEDS[1]
    index.add(first.candidate.canonical_url, text_hash(first.text), signature(first.text, DEDUP))
    assert match(index, second.text) is None
    assert match(index, paragraph_removed(second.text)) is None


def test_half_a_text_is_not_a_duplicate() -> None:
    """A text sharing half its words with a seed is a different story at threshold 0.8."""
    seed = SEEDS[4]
    paras = paragraphs(seed.text)
    half = "\n\n".join(paras[: len(paras) // 2])
    assert match(seeded_index(), half) is None


def test_best_match_is_reported() -> None:
    """With an original and a shortened copy both indexed, a copy of the original finds it."""
    seed = SEEDS[2]
    index = DedupIndex(DEDUP)
    shortened = paragraph_removed(seed.text)
    index.add("https://example.com/shortened", text_hash(shortened), signature(shortened, DEDUP))
    index.add("https://example.com/original", text_hash(seed.text), signature(seed.text, DEDUP))
    found = match(index, boilerplate_inserted(seed.text))
    assert found is not None and found.of == "https://example.com/original"


def test_words_and_text_hash() -> None:
    assert words("Sino-Russian TIES, 2023!") == ["sino", "russian", "ties", "2023"]
    assert text_hash("Xi  met\nPutin.") == text_hash("xi met putin")
    assert text_hash("Xi met Putin") != text_hash("Putin met Xi")
    assert re.fullmatch(r"[0-9a-f]{40}", text_hash("anything"))


def test_shingles() -> None:
    assert shingles("one two three", 5) == ["one two three"]
    assert shingles("A b c d", 3) == ["a b c", "b c d"]
    assert len(shingles(SEEDS[1].text, 5)) == len(words(SEEDS[1].text)) - 4


def test_signature_is_deterministic() -> None:
    text = SEEDS[3].text
    assert to_bytes(signature(text, DEDUP)) == to_bytes(signature(text, DEDUP))


def test_bytes_round_trip() -> None:
    original = signature(SEEDS[0].text, DEDUP)
    blob = to_bytes(original)
    assert isinstance(blob, bytes) and blob
    restored = from_bytes(blob, DEDUP)
    assert restored.jaccard(original) == 1.0
    assert to_bytes(restored) == blob
    near = signature(paragraph_removed(SEEDS[0].text), DEDUP)
    assert restored.jaccard(near) == original.jaccard(near)


def test_build_index_from_stored_rows_finds_the_same_matches() -> None:
    rows = [
        (s.candidate.canonical_url, text_hash(s.text), to_bytes(signature(s.text, DEDUP)))
        for s in SEEDS
    ]
    stored = build_index(rows, DEDUP)
    live = seeded_index()
    assert len(stored) == len(live) == 5
    for seed in SEEDS:
        for variant in (
            reformatted(seed.text),
            paragraph_removed(seed.text),
            boilerplate_inserted(seed.text),
        ):
            assert match(stored, variant) == match(live, variant) is not None
    assert match(stored, "An unrelated text about the weather in Lisbon.") is None


def test_assess_batch_compares_within_the_batch() -> None:
    """A batch holding a story twice keeps the first and marks the second as its duplicate."""
    original = SEEDS[1]
    copy = replace(
        original,
        candidate=replace(original.candidate, canonical_url="https://example.com/copy"),
        text=boilerplate_inserted(original.text),
    )
    index = DedupIndex(DEDUP)
    first, second = assess_batch([original, copy], SETTINGS, index)
    assert first.duplicate is None
    assert second.duplicate is not None
    assert second.duplicate.of == original.candidate.canonical_url
    assert second.duplicate.method == "minhash"
    assert first.stored_as_story and not second.stored_as_story
    assert len(index) == 1  # duplicates do not join the index
    assert from_bytes(first.minhash, DEDUP).jaccard(signature(original.text, DEDUP)) == 1.0
