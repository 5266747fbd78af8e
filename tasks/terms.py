"""Term matching shared by the topic scorer and the keyword counts, in any language.

A term matches as a whole word, in any case. A term ending in `*` matches any word it begins
(`Росси*` finds России, Россию …), which inflected languages need. Terms in Chinese or Japanese
script match anywhere, since those scripts do not separate words with spaces.
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _alternative(term: str) -> str:
    prefix = term.endswith("*")
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    if CJK.search(term):
        return body
    return rf"(?<!\w){body}\w*" if prefix else rf"(?<!\w){body}(?!\w)"


@lru_cache(maxsize=256)
def term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Return one regex matching any of the terms, longest first, ignoring case."""
    alternatives = sorted(
        {t.strip() for t in terms if t.strip().rstrip("*")}, key=len, reverse=True
    )
    return re.compile("|".join(_alternative(t) for t in alternatives) or r"(?!x)x", re.IGNORECASE)


def count_terms(text: str, terms: tuple[str, ...]) -> int:
    """Return how many times any of the terms occurs in the text (non-overlapping)."""
    return sum(1 for _ in term_pattern(terms).finditer(text))


def find_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    """Return every occurrence of the terms in the text, as written there."""
    return [m.group(0) for m in term_pattern(terms).finditer(text)]


def headline_and_text(title: str | None, text: str) -> str:
    """Return the headline and the text as one string, the headline once.

    trafilatura's text usually starts with the headline already (so do the seed files); counting
    it twice would let a headline alone push an article over a threshold.
    """
    if not title or text.lstrip().startswith(title.strip()):
        return text
    return f"{title}\n{text}"
