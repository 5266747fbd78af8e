"""Trend keywords: how often an article mentions each configured keyword or its aliases."""

from __future__ import annotations

from collections import Counter

from config.settings import Keyword
from tasks.terms import headline_and_text, matcher


def count_keywords(title: str | None, text: str, keywords: list[Keyword]) -> dict[str, int]:
    """Return {keyword name: mentions} for the keywords the article mentions at least once.

    All keywords are matched in one pass, longest term first, so "natural gas" is one mention of
    gas, not two.
    """
    owner = {}
    for keyword in keywords:
        for term in keyword.terms:
            owner.setdefault(term.strip(), keyword.name)
    counts = Counter(
        owner[m.term] for m in matcher(tuple(owner)).find(headline_and_text(title, text))
    )
    return {kw.name: counts[kw.name] for kw in keywords if counts[kw.name]}
