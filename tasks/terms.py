"""Term matching shared by the topic scorer and the keyword counts, in any language.

A term matches as a whole word (or run of words), in any case. A term ending in `*` matches any
word it begins (`Росси*` finds России, Россию …), which inflected languages need. Terms in
Chinese or Japanese script match anywhere, since those scripts do not separate words. Arabic
writes "and", "by", "for" as letters joined to the next word (والصين, لروسيا, بالنفط): a word
that matches no term is tried again without them.

The text is cut into words once and the words are looked up in dictionaries: a regex alternation
of dozens of terms, each with its own word-boundary checks, cost ~15 ms per article where this
costs well under one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"\w+")
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

    def _word_matches(self, text: str) -> list[Match]:
        tokens = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
        found, i = [], 0
        while i < len(tokens):
            hit = self._match_at(tokens, i)
            if hit is None and ARABIC.match(tokens[i][2]):
                for stem in arabic_stems(tokens[i][2]):
                    if (hit := self._match_at(tokens, i, stem)) is not None:
                        break
            if hit is None:
                i += 1
                continue
            length, term = hit
            start, end = tokens[i][0], tokens[i + length - 1][1]
            found.append(Match(start, end, text[start:end], term))
            i += length
        return found

    def _match_at(
        self, tokens: list[tuple[int, int, str]], i: int, first: str | None = None
    ) -> tuple[int, str] | None:
        # `first` stands in for the word at i (an Arabic word without its proclitics)
        word = first or tokens[i][2]
        candidates: list[tuple[int, str]] = []
        for words, _, term in self._by_first.get(word, ()):
            if (word, *(t[2] for t in tokens[i + 1 : i + len(words)])) == words:
                candidates.append((len(words), term))
                break
        for words, term in self._prefixes.get(word[:2], ()):
            n = len(words)
            window = [word] + [t[2] for t in tokens[i + 1 : i + n]]
            if (
                len(window) == n
                and window[:-1] == list(words[:-1])
                and window[-1].startswith(words[-1])
            ):
                candidates.append((n, term))
                break
        return max(candidates, key=lambda c: c[0]) if candidates else None

    def find(self, text: str) -> list[Match]:
        """Return every occurrence of the terms in the text, in order, never overlapping."""
        found = self._word_matches(text)
        if self._cjk is not None and CJK.search(text):
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
