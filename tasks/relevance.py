"""The topic filter: is an article about the Sino-Russian relationship?"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Topic
from tasks.terms import count_terms, headline_and_text


@dataclass(frozen=True)
class Relevance:
    """The verdict with its evidence: how often each side is named."""

    score: float
    relevant: bool
    china_mentions: int
    russia_mentions: int


def judge(title: str | None, text: str, topic: Topic) -> Relevance:
    """Return the relevance of an article: both sides must be named at least `min_mentions` times.

    The score is the smaller side's count, so one side named often cannot carry the other.
    """
    full = headline_and_text(title, text)
    china = count_terms(full, tuple(topic.china))
    russia = count_terms(full, tuple(topic.russia))
    score = float(min(china, russia))
    return Relevance(score, score >= topic.min_mentions, china, russia)
