"""Tests of tasks/dedup.py: the duplicate layers over the seed corpus and variants of it.

The layers, cheapest first: the hash of the normalised text, near-duplicate text (MinHash-LSH over
the whole text and over its lead, confirmed by Jaccard similarity or by containment), short copies
(sampled shingles, "pieces", confirmed by the share of the copy's pieces in the original), and the
same source publishing the same title within a few days.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from rensa import RMinHashLSH

from config import load_settings
from tasks.assess import judge_batch
from tasks.dedup import (
    DedupIndex,
    build_index,
    containment,
    fingerprint,
    from_bytes,
    index_keys,
    piece_ceiling,
    piece_keys,
    shingles,
    signature,
    stored_fingerprint,
    text_hash,
    title_key,
    to_bytes,
    words,
)
from tasks.duplicates import match_batch
from tasks.records import Article, Duplicate, Fingerprint
from tasks.seeds import read_seed_corpus
from warehouse import sql, writer

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
# Written for these tests: 60 words a syndicating site might add in the middle of a story.
ADDED_PARAGRAPH = (
    "Officials in both capitals said the talks would continue at the working level over the "
    "coming months, with energy, payments and transport links at the top of the agenda. Analysts "
    "cautioned that many of the documents signed so far were frameworks, and that pricing and "
    "financing details still had to be settled by the negotiators of the state companies involved."
)
SOURCE = "Example News"
DAY = datetime(2026, 11, 14, 8, 30)
LONG_TITLE = "Xi and Putin agree to expand energy cooperation at Moscow talks"


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


def paragraph_added(text: str) -> str:
    """Return the text with ADDED_PARAGRAPH inserted in the middle."""
    paras = paragraphs(text)
    middle = len(paras) // 2
    return "\n\n".join([*paras[:middle], ADDED_PARAGRAPH, *paras[middle:]])


def first_half(text: str) -> str:
    """Return the text cut at the paragraph boundary nearest to half of its words."""
    paras = paragraphs(text)
    total, running = len(words(text)), 0
    for n, para in enumerate(paras, start=1):
        running += len(words(para))
        if running >= total / 2:
            return "\n\n".join(paras[:n])
    return text


def fp(
    text: str,
    title: str | None = None,
    source: str | None = None,
    published: datetime | None = None,
    dedup=DEDUP,
) -> Fingerprint:
    return fingerprint(text, title, source, published, dedup)


def seed_fp(seed: Article) -> Fingerprint:
    return fp(seed.text, seed.title, seed.candidate.source, seed.published_at)


def seeded_index() -> DedupIndex:
    index = DedupIndex(DEDUP)
    for seed in SEEDS:
        index.add(seed.candidate.canonical_url, seed_fp(seed))
    return index


def match(index: DedupIndex, text: str) -> Duplicate | None:
    return index.match(fp(text))


def stored_row(key: str, print_: Fingerprint) -> tuple:
    """Return a dedup_candidates row holding this fingerprint (and all its pieces)."""
    published = (
        datetime.combine(print_.published, datetime.min.time()) if print_.published else None
    )
    return (
        key,
        print_.text_hash,
        to_bytes(print_.minhash),
        to_bytes(print_.lead),
        print_.shingles,
        print_.title_key,
        published,
        sorted(print_.pieces),
    )


# ---- the seed corpus ----


def test_seed_corpus_is_five_articles() -> None:
    assert len(SEEDS) == 5
    assert all(len(words(seed.text)) > 500 for seed in SEEDS)


def test_seeds_are_not_duplicates_of_each_other() -> None:
    """With their titles, source and dates, as the warehouse holds them: no layer fires."""
    index = DedupIndex(DEDUP)
    for seed in SEEDS:
        print_ = seed_fp(seed)
        assert print_.title_key is not None  # the title layer is in play
        assert index.match(print_) is None, seed.candidate.canonical_url
        index.add(seed.candidate.canonical_url, print_)
    assert len(index) == 5


def test_seeds_are_not_near_each_other() -> None:
    """Not even a half of one seed is contained in another."""
    index = seeded_index()
    for n, seed in enumerate(SEEDS):
        found = match(index, first_half(seed.text))
        assert found is not None and found.of == seed.candidate.canonical_url
        for other in SEEDS[:n] + SEEDS[n + 1 :]:
            alone = DedupIndex(DEDUP)
            alone.add(other.candidate.canonical_url, seed_fp(other))
            assert match(alone, seed.text) is None
            assert match(alone, first_half(seed.text)) is None


# ---- exact and near duplicates ----


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_reformatted_seed_is_a_text_hash_duplicate(seed: Article) -> None:
    variant = reformatted(seed.text)
    assert variant != seed.text
    assert text_hash(variant) == text_hash(seed.text)
    assert match(seeded_index(), variant) == Duplicate(
        of=seed.candidate.canonical_url, similarity=1.0, method="text_hash"
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


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_truncated_seed_is_a_containment_duplicate(seed: Article) -> None:
    """A copy cut to its first half is too far from the whole in Jaccard, but lies inside it."""
    half = first_half(seed.text)
    original, copy = seed_fp(seed), fp(half)
    assert 0.3 < copy.minhash.jaccard(original.minhash) < DEDUP.threshold
    found = match(seeded_index(), half)
    assert found is not None
    assert found.of == seed.candidate.canonical_url
    assert found.method == "containment"
    assert DEDUP.containment_threshold <= found.similarity <= 1.0


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_seed_with_a_paragraph_added_is_a_duplicate(seed: Article) -> None:
    assert len(words(ADDED_PARAGRAPH)) == 60
    variant = paragraph_added(seed.text)
    assert text_hash(variant) != text_hash(seed.text)
    found = match(seeded_index(), variant)
    assert found is not None
    assert found.of == seed.candidate.canonical_url
    assert found.method in ("minhash", "containment")


def test_original_inside_a_longer_copy_is_a_containment_duplicate() -> None:
    """A copy padded with a long addendum (a quarter more words) still contains its original."""
    seed, filler = SEEDS[1], SEEDS[3]
    addendum = "\n\n".join(paragraphs(filler.text)[-8:])
    variant = f"{seed.text}\n\n{addendum}"
    assert len(words(addendum)) > len(words(seed.text)) / 4
    index = DedupIndex(DEDUP)
    index.add(seed.candidate.canonical_url, seed_fp(seed))
    found = match(index, variant)
    assert fp(variant).minhash.jaccard(seed_fp(seed).minhash) < DEDUP.threshold
    assert found is not None
    assert (found.of, found.method) == (seed.candidate.canonical_url, "containment")


def test_lead_index_finds_a_truncated_copy_the_full_text_index_misses() -> None:
    """A copy cut short meets its original through the lead index, then containment confirms it."""
    seed = SEEDS[2]
    paras = paragraphs(seed.text)
    cut = "\n\n".join(paras[:11])
    original, copy = seed_fp(seed), fp(cut)
    jaccard = copy.minhash.jaccard(original.minhash)
    assert 0.3 < jaccard < 0.5
    # The premise: an LSH of whole texts alone (the same bands) does not offer the original ...
    full_only = RMinHashLSH(DEDUP.threshold, DEDUP.num_perm, DEDUP.bands)
    full_only.insert(0, original.minhash)
    assert full_only.query(copy.minhash) == []
    # ... while the leads are the same.
    assert copy.lead.jaccard(original.lead) == 1.0
    index = DedupIndex(DEDUP)
    index.add(seed.candidate.canonical_url, original)
    found = index.match(copy)
    assert found is not None
    assert (found.of, found.method) == (seed.candidate.canonical_url, "containment")


def test_a_different_text_is_not_a_duplicate() -> None:
    index = DedupIndex(DEDUP)
    first, second = SEEDS[0], SEEDS[1]
    index.add(first.candidate.canonical_url, seed_fp(first))
    assert match(index, second.text) is None
    assert match(index, paragraph_removed(second.text)) is None
    assert match(index, first_half(second.text)) is None


def test_half_a_text_is_not_a_duplicate() -> None:
    """Half of a seed followed by half of another story is neither the one nor the other."""
    seed, other = SEEDS[4], SEEDS[3]
    head = first_half(seed.text)
    tail = "\n\n".join(paragraphs(other.text)[len(paragraphs(first_half(other.text))) :])
    assert match(seeded_index(), f"{head}\n\n{tail}") is None


def test_a_short_quote_is_not_a_containment_duplicate() -> None:
    """Below containment_min_shingles a text is too short to call a copy by containment."""
    seed = SEEDS[1]
    quote = " ".join(words(seed.text)[200:240])
    assert fp(quote).shingles < DEDUP.containment_min_shingles
    assert match(seeded_index(), quote) is None


def test_best_match_is_reported() -> None:
    """With an original and a shortened copy both indexed, a copy of the original finds it."""
    seed = SEEDS[2]
    index = DedupIndex(DEDUP)
    index.add("https://example.com/shortened", fp(paragraph_removed(seed.text)))
    index.add("https://example.com/original", fp(seed.text))
    found = match(index, boilerplate_inserted(seed.text))
    assert found is not None and found.of == "https://example.com/original"


def test_text_hash_is_tried_first() -> None:
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(SEEDS[0].text, LONG_TITLE, SOURCE, DAY))
    found = index.match(fp(reformatted(SEEDS[0].text), LONG_TITLE, SOURCE, DAY))
    assert found == Duplicate(of="https://example.com/a", similarity=1.0, method="text_hash")


# ---- the title layer ----


def updated_story() -> tuple[str, str]:
    """Return (original, update): the update keeps under half of the original's text."""
    original = SEEDS[3].text
    kept = paragraphs(original)[:10]
    added = paragraphs(SEEDS[0].text)[10:18]
    return original, "\n\n".join(kept + added)


def test_updated_story_premise() -> None:
    """The update is too different for the text layers, yet shares enough for the title layer."""
    original, update = updated_story()
    jaccard = fp(update).minhash.jaccard(fp(original).minhash)
    assert DEDUP.title_min_similarity <= jaccard < DEDUP.threshold
    assert containment(jaccard, fp(update).shingles, fp(original).shingles) < (
        DEDUP.containment_threshold
    )
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original))
    assert index.match(fp(update)) is None  # no titles: the text layers alone let it through


@pytest.mark.parametrize(
    ("days", "method"),
    [(0, "title"), (2, "title"), (-2, "title"), (3, "title"), (4, None), (-4, None), (30, None)],
)
def test_same_source_and_title_within_the_window(days: int, method: str | None) -> None:
    original, update = updated_story()
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original, LONG_TITLE, SOURCE, DAY))
    found = index.match(fp(update, LONG_TITLE, SOURCE, DAY + timedelta(days=days)))
    assert DEDUP.title_window_days == 3
    if method is None:
        assert found is None
    else:
        assert found is not None
        assert (found.of, found.method) == ("https://example.com/a", method)
        assert DEDUP.title_min_similarity <= found.similarity < DEDUP.threshold


def test_title_is_normalised() -> None:
    original, update = updated_story()
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original, LONG_TITLE, SOURCE, DAY))
    shouted = fp(update, f"  {LONG_TITLE.upper()}!  ", f" {SOURCE.lower()} ", DAY)
    found = index.match(shouted)
    assert found is not None and found.method == "title"


def test_same_title_from_another_source_is_not_a_duplicate() -> None:
    original, update = updated_story()
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original, LONG_TITLE, SOURCE, DAY))
    assert index.match(fp(update, LONG_TITLE, "Other Wire", DAY)) is None
    assert index.match(fp(update, LONG_TITLE, None, DAY)) is None


def test_short_titles_are_ignored() -> None:
    original, update = updated_story()
    short = "Xi meets Putin"
    assert len(words(short)) < DEDUP.title_min_words
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original, short, SOURCE, DAY))
    assert index.match(fp(update, short, SOURCE, DAY)) is None


def test_daily_column_keeping_its_title_is_not_a_duplicate() -> None:
    """Same source, same title, next day, another text: below title_min_similarity."""
    column = "Morning briefing on Russia and China relations from our desk"
    index = DedupIndex(DEDUP)
    index.add("https://example.com/monday", fp(SEEDS[0].text, column, SOURCE, DAY))
    tuesday = fp(SEEDS[1].text, column, SOURCE, DAY + timedelta(days=1))
    assert tuesday.title_key is not None
    assert index.match(tuesday) is None


def test_title_window_setting() -> None:
    original, update = updated_story()
    wide = DEDUP.model_copy(update={"title_window_days": 10})
    index = DedupIndex(wide)
    index.add("https://example.com/a", fp(original, LONG_TITLE, SOURCE, DAY, wide))
    found = index.match(fp(update, LONG_TITLE, SOURCE, DAY + timedelta(days=7), wide))
    assert found is not None and found.method == "title"


def test_undated_articles_are_inside_the_title_window() -> None:
    original, update = updated_story()
    index = DedupIndex(DEDUP)
    index.add("https://example.com/a", fp(original, LONG_TITLE, SOURCE, None))
    found = index.match(fp(update, LONG_TITLE, SOURCE, DAY))
    assert found is not None and found.method == "title"


# ---- the parts ----


def test_words_and_text_hash() -> None:
    assert words("Sino-Russian TIES, 2023!") == ["sino", "russian", "ties", "2023"]
    assert text_hash("Xi  met\nPutin.") == text_hash("xi met putin")
    assert text_hash("Xi met Putin") != text_hash("Putin met Xi")
    assert re.fullmatch(r"[0-9a-f]{40}", text_hash("anything"))


def test_shingles() -> None:
    assert shingles(["one", "two", "three"], 5) == {"one two three"}
    assert shingles(words("A b c d"), 3) == {"a b c", "b c d"}
    assert shingles(["a", "b", "a", "b", "a"], 2) == {"a b", "b a"}  # a set: repeats collapse
    assert shingles([], 5) == {""}
    tokens = words(SEEDS[1].text)
    found = shingles(tokens, 5)
    assert isinstance(found, set)
    assert len(found) <= len(tokens) - 4
    assert len(found) == fp(SEEDS[1].text).shingles


def test_containment() -> None:
    assert containment(1.0, 100, 100) == 1.0
    assert containment(0.5, 50, 100) == pytest.approx(1.0)  # A inside B, half its size
    assert containment(1 / 3, 100, 100) == pytest.approx(0.5)  # half of each shared
    assert containment(0.25, 100, 60) == containment(0.25, 60, 100)  # symmetric
    assert containment(0.9, 10, 100) == 1.0  # capped
    assert containment(0.0, 100, 100) == 0.0
    assert containment(0.5, 0, 100) == 0.0


def test_title_key() -> None:
    assert title_key(" Example News ", "Xi and Putin meet: Moscow talks!", DEDUP) == (
        "example news|xi and putin meet moscow talks"
    )
    assert title_key("Example News", "Xi meets Putin", DEDUP) is None  # too short
    assert title_key(None, LONG_TITLE, DEDUP) is None
    assert title_key("Example News", None, DEDUP) is None


def test_fingerprint() -> None:
    text = SEEDS[0].text
    print_ = fp(text, LONG_TITLE, SOURCE, DAY)
    assert print_.text_hash == text_hash(text)
    assert print_.published == date(2026, 11, 14)
    assert print_.title_key == title_key(SOURCE, LONG_TITLE, DEDUP)
    assert print_.shingles == len(shingles(words(text), DEDUP.shingle_words))
    lead = shingles(words(text)[: DEDUP.lead_words], DEDUP.shingle_words)
    assert to_bytes(print_.lead) == to_bytes(signature(lead, DEDUP))
    assert print_.minhash.jaccard(print_.lead) < 0.2  # the lead is a small part of the whole
    assert fp(text).published is None and fp(text).title_key is None


# A fixed text's signature as this version stores it: the same in every process and on every
# machine (whatever PYTHONHASHSEED), or the signatures already in a lake no longer compare.
FIXED_TEXT = (
    "Negotiators from China and Russia resumed talks in Beijing on Wednesday about a new grain "
    "corridor that would carry wheat and barley from Siberia to ports in northern China by rail "
    "and river barge."
)
FIXED_SIGNATURE_SHA256 = "64712f47e30aecbc946502069d9a9f5cc1993a90ba9094ba138fc48b4f832ec3"


def test_signature_is_deterministic() -> None:
    items = shingles(words(FIXED_TEXT), DEDUP.shingle_words)
    stored = to_bytes(signature(items, DEDUP))
    assert (DEDUP.num_perm, len(stored)) == (128, 657)
    assert hashlib.sha256(stored).hexdigest() == FIXED_SIGNATURE_SHA256
    assert to_bytes(signature(sorted(items), DEDUP)) == stored  # the shingles' order is no matter
    assert to_bytes(fp(FIXED_TEXT).minhash) == stored


def test_bytes_round_trip() -> None:
    original = fp(SEEDS[0].text).minhash
    blob = to_bytes(original)
    assert isinstance(blob, bytes) and blob
    restored = from_bytes(blob, DEDUP)
    assert restored.jaccard(original) == 1.0
    assert to_bytes(restored) == blob
    near = fp(paragraph_removed(SEEDS[0].text)).minhash
    assert restored.jaccard(near) == original.jaccard(near)


def test_stored_fingerprint_round_trip() -> None:
    seed = SEEDS[2]
    live = seed_fp(seed)
    key, stored = stored_fingerprint(stored_row(seed.candidate.canonical_url, live), DEDUP)
    assert key == seed.candidate.canonical_url
    assert (stored.text_hash, stored.shingles, stored.title_key, stored.published) == (
        live.text_hash,
        live.shingles,
        live.title_key,
        live.published,
    )
    assert to_bytes(stored.minhash) == to_bytes(live.minhash)
    assert to_bytes(stored.lead) == to_bytes(live.lead)
    _, undated = stored_fingerprint((*stored_row("k", live)[:6], None), DEDUP)
    assert undated.published is None


def test_build_index_from_stored_rows_finds_the_same_matches() -> None:
    rows = [stored_row(s.candidate.canonical_url, seed_fp(s)) for s in SEEDS]
    stored = build_index(rows, DEDUP)
    live = seeded_index()
    assert len(stored) == len(live) == 5
    for seed in SEEDS:
        for variant in (
            reformatted(seed.text),
            paragraph_removed(seed.text),
            boilerplate_inserted(seed.text),
            paragraph_added(seed.text),
            first_half(seed.text),
        ):
            assert match(stored, variant) == match(live, variant) is not None
    assert match(stored, "An unrelated text about the weather in Lisbon.") is None


def test_match_batch_compares_within_the_batch() -> None:
    """A batch holding a story twice keeps the first and marks the second as its duplicate."""
    original = SEEDS[1]
    copy = replace(
        original,
        candidate=replace(original.candidate, canonical_url="https://example.com/copy"),
        text=boilerplate_inserted(original.text),
    )
    index = DedupIndex(DEDUP)
    first, second = match_batch(judge_batch([original, copy], SETTINGS), index)
    assert first.duplicate is None
    assert second.duplicate is not None
    assert second.duplicate.of == original.candidate.canonical_url
    assert second.duplicate.method == "minhash"
    assert first.stored_as_story and not second.stored_as_story
    assert len(index) == 1  # duplicates do not join the index
    expected = seed_fp(original)
    assert first.fingerprint.minhash.jaccard(expected.minhash) == 1.0
    assert to_bytes(first.fingerprint.lead) == to_bytes(expected.lead)
    assert first.fingerprint.title_key == expected.title_key is not None
    assert first.fingerprint.published == original.published_at.date()


def test_match_batch_finds_a_truncated_copy_in_the_batch() -> None:
    original = SEEDS[4]
    copy = replace(
        original,
        candidate=replace(original.candidate, canonical_url="https://example.com/half"),
        text=first_half(original.text),
    )
    _, second = match_batch(judge_batch([original, copy], SETTINGS), DedupIndex(DEDUP))
    assert second.duplicate is not None
    assert second.duplicate.of == original.candidate.canonical_url
    assert second.duplicate.method == "containment"


# ---- short copies ----

EVAL_CASES = Path(__file__).resolve().parent / "eval" / "duplicates"
CONTINUE = "Continue reading…"


def share_of(text: str, share: float, start: int = 0) -> str:
    """Return the fewest paragraphs from `start` with `share` of the words (and at least 60)."""
    paras, total = paragraphs(text), len(words(text))
    end, running = start, 0
    while end < len(paras) and (running < share * total or running < 60):
        running += len(words(paras[end]))
        end += 1
    return "\n\n".join(paras[start:end])


def first_fifth(text: str) -> str:
    return share_of(text, 0.2)


def middle_fifth(text: str) -> str:
    return share_of(text, 0.2, start=len(paragraphs(text)) // 2)


def teaser(text: str) -> str:
    return f"{share_of(text, 0.25)}\n\n{CONTINUE}"


@pytest.mark.parametrize("cut", [first_fifth, middle_fifth, teaser])
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_short_copy_is_a_containment_duplicate(seed: Article, cut) -> None:
    """A fifth of a story, from its start or its middle, or a teaser: found by its pieces."""
    copy = cut(seed.text)
    assert 60 <= len(words(copy)) < len(words(seed.text)) * 0.4
    assert fp(copy).minhash.jaccard(seed_fp(seed).minhash) < 0.5  # far below the threshold
    found = match(seeded_index(), copy)
    assert found is not None
    assert (found.of, found.method) == (seed.candidate.canonical_url, "containment")
    assert DEDUP.copy_containment <= found.similarity <= 1.0


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_pieces_are_a_consistent_sample(seed: Article) -> None:
    """The copy's pieces below the original's ceiling are the original's: the same sample."""
    original, copy = seed_fp(seed), fp(middle_fifth(seed.text))
    ceiling = piece_ceiling(original.shingles, DEDUP)
    mine = {piece for piece in copy.pieces if piece < ceiling}
    assert len(mine) >= DEDUP.copy_min_shared
    assert mine <= original.pieces
    assert all(piece < ceiling for piece in original.pieces)
    other = fp(middle_fifth(SEEDS[SEEDS.index(seed) - 1].text))
    assert len(other.pieces & original.pieces) < DEDUP.copy_min_shared


def test_pieces_per_text_are_bounded() -> None:
    """One shingle in copy_sample is a piece; a long text keeps about copy_keys of them."""
    short = fp(share_of(SEEDS[1].text, 0.3))
    assert short.shingles / DEDUP.copy_sample / 2 < len(short.pieces) < short.shingles / 3
    everything = fp("\n\n".join(seed.text for seed in SEEDS) * 3)
    assert everything.shingles > 20 * DEDUP.copy_keys
    assert DEDUP.copy_keys / 2 < len(everything.pieces) < DEDUP.copy_keys * 3 / 2
    # untitled: the text hash, both signatures' bands, the pieces
    assert len(index_keys(everything, DEDUP)) == 1 + 2 * DEDUP.bands + len(everything.pieces)


def test_a_copy_below_copy_min_words_is_not_a_copy() -> None:
    seed = SEEDS[1]
    snippet = " ".join(words(seed.text)[300:350])
    assert len(fp(snippet).pieces & seed_fp(seed).pieces) >= DEDUP.copy_min_shared
    assert match(seeded_index(), snippet) is None
    looser = DEDUP.model_copy(update={"copy_min_words": 40})
    index = DedupIndex(looser)
    index.add(seed.candidate.canonical_url, fingerprint(seed.text, None, None, None, looser))
    found = index.match(fingerprint(snippet, None, None, None, looser))
    assert found is not None and found.of == seed.candidate.canonical_url


def test_copy_min_shared_is_required() -> None:
    seed = SEEDS[3]
    copy = fp(middle_fifth(seed.text))
    shared = len(copy.pieces & seed_fp(seed).pieces)
    strict = DEDUP.model_copy(update={"copy_min_shared": shared + 1})
    index = DedupIndex(strict)
    index.add(seed.candidate.canonical_url, seed_fp(seed))
    assert index.match(copy) is None
    assert match(seeded_index(), middle_fifth(seed.text)) is not None


def sharing_cases() -> list[dict]:
    """Return the labelled distinct cases that share a wire lead or quotes with a seed."""
    cases = [tomllib.loads(p.read_text(encoding="utf-8")) for p in EVAL_CASES.glob("*.toml")]
    return [case for case in cases if "shares" in case]


def test_stories_sharing_a_wire_lead_or_quotes_are_not_copies() -> None:
    cases = sharing_cases()
    assert len(cases) >= 4
    index, confirmed = seeded_index(), 0
    for case in cases:
        stem = case["shares"].rsplit("seed://", 1)[-1]
        (seed,) = [s for s in SEEDS if s.candidate.canonical_url.endswith(stem)]
        text = case["text"]
        assert shingles(words(text), 5) & shingles(words(seed.text), 5), case["title"]
        # Some share enough pieces to be candidates: containment is what tells them apart.
        confirmed += len(fp(text).pieces & seed_fp(seed).pieces) >= DEDUP.copy_min_shared
        assert match(index, text) is None, case["title"]
    assert confirmed >= 2


def test_stored_rows_carry_the_pieces_shared_with_the_batch() -> None:
    seed = SEEDS[0]
    copy = fp(middle_fifth(seed.text))
    row = stored_row(seed.candidate.canonical_url, seed_fp(seed))
    shared = sorted(copy.pieces & seed_fp(seed).pieces)
    _, partial = stored_fingerprint((*row[:7], shared), DEDUP)
    assert partial.pieces == frozenset(shared)
    assert build_index([(*row[:7], shared)], DEDUP).match(copy) == seeded_index().match(copy)
    _, bare = stored_fingerprint(row[:7], DEDUP)  # a row of the query before pieces
    assert bare.pieces == frozenset()
    assert build_index([row[:7]], DEDUP).match(copy) is None


def test_warehouse_finds_a_short_copy_through_its_pieces(tmp_path: Path) -> None:
    """Through dedup_keys: a middle fifth shares no band with its original, only pieces."""
    from tasks.assess import judge_batch
    from tasks.duplicates import decide_duplicates, key_table
    from tasks.location import lake_of
    from tasks.seeds import load_seeds

    settings = SETTINGS.with_db(tmp_path / "warehouse.sqlite")
    lake = lake_of(settings)
    load_seeds(lake, settings)
    seed = SEEDS[3]
    copy = replace(
        seed,
        candidate=replace(seed.candidate, canonical_url="https://example.com/middle"),
        text=middle_fifth(seed.text),
        title="A fifth from the middle",
    )
    (judged,) = judge_batch([copy], settings)
    with writer(lake) as con:
        (item,) = decide_duplicates(con, [judged], settings.dedup)
        assert item.duplicate is not None
        assert (item.duplicate.of, item.duplicate.method) == (
            seed.candidate.canonical_url,
            "containment",
        )
        # The candidate rule: only pieces join the copy to its original, and enough of them.
        con.register("batch_keys", key_table([judged], settings.dedup))
        pieces = piece_keys([judged.fingerprint])
        con.register("batch_pieces", pa.table({"key": pa.array(pieces, pa.int64())}))
        candidates = sql("dedup_candidates")
        shared = len(judged.fingerprint.pieces & seed_fp(seed).pieces)
        found = con.execute(candidates, {"min_shared": shared}).fetchall()
        assert [row[0] for row in found] == [seed.candidate.canonical_url]
        assert set(found[0][1]) == judged.fingerprint.pieces & seed_fp(seed).pieces
        assert con.execute(candidates, {"min_shared": shared + 1}).fetchall() == []
        con.execute("rollback")  # a probe: store nothing
        con.execute("begin transaction")
