"""Trend keywords: how often an article mentions each configured keyword or its aliases."""

from __future__ import annotations

from config.settings import Keyword
from tasks.terms import count_terms, headline_and_text


def count_keywords(title: str | None, text: str, keywords: list[Keyword]) -> dict[str, int]:
    """Return {keyword name: mentions} for the keywords the article mentions at least once."""
    full = headline_and_text(title, text)
    counts = {kw.name: count_terms(full, tuple(kw.terms)) for kw in keywords}
    return {name: n for name, n in counts.items() if n}
