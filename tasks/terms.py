"""Term matching shared by the topic scorer and the keyword counts, in any language.

A term matches as a whole word (or run of words), in any case. A term ending in `*` matches any
word it begins (`Росси*` finds России, Россию …), which inflected languages need. Terms in
Chinese or Japanese script match anywhere, since those scripts do not separate words. Arabic
writes "and", "by", "for" as letters joined to the next word (والصين, لروسيا, بالنفط): a word
that matches no term is tried again without them.

The text is cut into words once and kept for the next matcher (judging an article runs a dozen on
one text), and a matcher looks only at the words its terms can start with, found through the set
of the text's distinct words. A regex alternation of dozens of terms, each with its own
word-boundary checks, cost ~15 ms per article; a scan of every word by each matcher ~7 ms; this
well under one (bench/throughput.py, judging on the workers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"\w+")
SPLIT = re.compile(r"(\w+)")  # WORD as a group: re.split keeps the words between the rest
ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic proclitics: a conjunction (و, ف), then a preposition (ب, ل, ك); ل before the article
# ال drops its alif (للصين = ل + الصين).
CONJUNCTIONS, PREPOSITIONS = ("و", "ف"), ("ب", "ل", "ك")


def arabic_stems(word: str) -> list[str]:
    """Return the word without its attached conjunction and preposition, longest first."""
    stems, rest = [], word
    if rest[:1] in CONJUNCTIONS and len(rest) > 3:
        rest = rest[1:]
        stems.append(rest)
    if rest.startswith("لل") and len(rest) > 4:
        stems.append("ا" + rest[1:])
    elif rest[:1] in PREPOSITIONS and len(rest) > 3:
        stems.append(rest[1:])
    return stems


@dataclass(frozen=True)
class Match:
    """One occurrence of a term: where it stands, as written, and which configured term it is."""

    start: int
    end: int
    text: str
    term: str


class Words:
    """A text cut into words: each lowercased, where it stands, and the distinct ones."""

    __slots__ = ("_by_two", "arabic", "cjk", "distinct", "edges", "words")

    def __init__(self, text: str) -> None:
        parts = SPLIT.split(text)  # [between, word, between, word, …, between]
        # word i runs from edges[2i + 1] to edges[2i + 2]
        self.edges = [0, *accumulate(map(len, parts))]
        self.words = list(map(str.lower, parts[1::2]))
        self.distinct = set(self.words)
        # Arabic word -> its stems (without proclitics): looked up when the word is no term
        self.arabic = (
            {word: arabic_stems(word) for word in self.distinct if ARABIC.match(word)}
            if ARABIC.search(text)
            else {}
        )
        self.cjk = CJK.search(text) is not None
        self._by_two: dict[str, set[str]] | None = None

    def by_two(self) -> dict[str, set[str]]:
        """Return {first two letters: the distinct words starting with them} (made once)."""
        if self._by_two is None:
            self._by_two = {}
            for word in self.distinct:
                self._by_two.setdefault(word[:2], set()).add(word)
        return self._by_two


@lru_cache(maxsize=16)
def cut(text: str) -> Words:
    """Return the text cut into words (cached: every matcher of an article reads the same text)."""
    return Words(text)


class TermMatcher:
    """Finds the occurrences of a fixed set of terms in texts."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        # first word -> [(words of the term, is prefix, term)], longest first
        self._by_first: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
        # the first two letters of a prefix term -> [(words, term)], longest first
        self._prefixes: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        cjk = []
        for raw in dict.fromkeys(t.strip() for t in terms):
            body = raw.rstrip("*")
            if not body:
                continue
            if CJK.search(body):
                cjk.append(body)
                continue
            words = tuple(w.lower() for w in WORD.findall(body))
            if not words:
                continue
            if raw.endswith("*"):
                self._prefixes.setdefault(words[0][:2], []).append((words, raw))
            else:
                self._by_first.setdefault(words[0], []).append((words, False, raw))
        for options in self._by_first.values():
            options.sort(key=lambda o: len(o[0]), reverse=True)
        for options in self._prefixes.values():
            options.sort(key=lambda o: (len(o[0]), len(o[0][-1])), reverse=True)
        alternatives = "|".join(re.escape(t) for t in sorted(cjk, key=len, reverse=True))
        self._cjk = re.compile(alternatives) if alternatives else None

    def _starts(self, cut_text: Words) -> list[int]:
        """Return, in order, the positions of the words a term may start at (all others can't)."""
        starts = self._by_first.keys() & cut_text.distinct
        if self._prefixes:
            by_two = cut_text.by_two()
            for two in self._prefixes.keys() & by_two.keys():
                starts |= by_two[two]
        for word, stems in cut_text.arabic.items():
            if any(stem in self._by_first or stem[:2] in self._prefixes for stem in stems):
                starts.add(word)
        if not starts:
            return []  # most matchers on most texts: no word to look at
        return [i for i, word in enumerate(cut_text.words) if word in starts]

    def _word_matches(self, text: str) -> list[Match]:
        words = cut(text)
        found, free = [], 0  # free: the first word not inside a match already made
        for i in self._starts(words):
            if i < free:
                continue
            hit = self._match_at(words.words, i)
            if hit is None:
                for stem in words.arabic.get(words.words[i], ()):
                    if (hit := self._match_at(words.words, i, stem)) is not None:
                        break
            if hit is None:
                continue
            length, term = hit
            start, end = words.edges[2 * i + 1], words.edges[2 * (i + length)]
            found.append(Match(start, end, text[start:end], term))
            free = i + length
        return found

    def _match_at(
        self, words: list[str], i: int, first: str | None = None
    ) -> tuple[int, str] | None:
        # `first` stands in for the word at i (an Arabic word without its proclitics)
        word = first or words[i]
        candidates: list[tuple[int, str]] = []
        for term_words, _, term in self._by_first.get(word, ()):
            if (word, *words[i + 1 : i + len(term_words)]) == term_words:
                candidates.append((len(term_words), term))
                break
        for term_words, term in self._prefixes.get(word[:2], ()):
            n = len(term_words)
            window = [word, *words[i + 1 : i + n]]
            if (
                len(window) == n
                and window[:-1] == list(term_words[:-1])
                and window[-1].startswith(term_words[-1])
            ):
                candidates.append((n, term))
                break
        return max(candidates, key=lambda c: c[0]) if candidates else None

    def find(self, text: str) -> list[Match]:
        """Return every occurrence of the terms in the text, in order, never overlapping."""
        found = self._word_matches(text)
        if self._cjk is not None and cut(text).cjk:
            found += [
                Match(m.start(), m.end(), m.group(), m.group()) for m in self._cjk.finditer(text)
            ]
            found.sort(key=lambda m: m.start)
        return found


@lru_cache(maxsize=256)
def matcher(terms: tuple[str, ...]) -> TermMatcher:
    """Return the (cached) matcher for a set of terms."""
    return TermMatcher(terms)


def find_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    """Return every occurrence of the terms in the text, as written there."""
    return [m.text for m in matcher(terms).find(text)]


def count_terms(text: str, terms: tuple[str, ...]) -> int:
    """Return how many times any of the terms occurs in the text (non-overlapping)."""
    return len(matcher(terms).find(text))


def headline_and_text(title: str | None, text: str) -> str:
    """Return the headline and the text as one string, the headline once.

    trafilatura's text usually starts with the headline already (so do the seed files); counting
    it twice would let a headline alone push an article over a threshold.
    """
    if not title or text.lstrip().startswith(title.strip()):
        return text
    return f"{title}\n{text}"
