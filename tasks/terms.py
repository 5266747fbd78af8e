"""Term matching shared by the topic filter and the keyword counts: whole words, any case."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Return one regex matching any of the terms as whole words, longest first, ignoring case."""
    alternatives = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(term).replace(r"\ ", r"\s+") for term in alternatives)
    # \b fails next to punctuation-ended terms, so use explicit word-character lookarounds.
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def count_terms(text: str, terms: tuple[str, ...]) -> int:
    """Return how many times any of the terms occurs in the text (non-overlapping)."""
    return sum(1 for _ in term_pattern(terms).finditer(text))


def headline_and_text(title: str | None, text: str) -> str:
    """Return the headline and the text as one string, the headline once.

    trafilatura's text usually starts with the headline already (so do the seed files); counting
    it twice would let a headline alone push an article over a threshold.
    """
    if not title or text.lstrip().startswith(title.strip()):
        return text
    return f"{title}\n{text}"
