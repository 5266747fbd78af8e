"""The topic scorer: is an article about the relationship between China and Russia?

Naming both countries is not enough: a markets wrap or a sports page does that in passing. The
score rewards the two sides appearing together where a story puts its subject — the headline, the
lead, the same sentence or paragraph — and the vocabulary of a relationship (summit, pipeline,
yuan settlement, joint exercise …) where they do. Each side must also be named at least
`min_mentions` times. The evidence behind every score is kept, so an analyst can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from config.settings import Topic
from tasks.terms import find_terms, headline_and_text, term_pattern

SENTENCE_END = re.compile(r"(?<=[.!?。！？；])\s*|\n+")
LEAD_CHARS = 400


@dataclass(frozen=True)
class Relevance:
    """The verdict, the score it rests on, and the evidence for it."""

    score: float
    threshold: float
    relevant: bool
    china_mentions: int
    russia_mentions: int
    evidence: dict = field(default_factory=dict)


def _names_both(text: str, topic: Topic) -> bool:
    return bool(find_terms(text, topic.china_terms)) and bool(find_terms(text, topic.russia_terms))


def _body(title: str | None, text: str) -> str:
    """Return the text without the headline it may start with (the headline is scored apart)."""
    body = text.lstrip()
    if title and body.startswith(title.strip()):
        body = body[len(title.strip()) :]
    return body.strip()


def _relation_terms(sentences: list[str], topic: Topic) -> list[str]:
    """Return the configured relationship terms found in the sentences (inflections count once)."""
    return sorted(
        {
            term.lower()  # "gas" (en) and "Gas" (de) are one term
            for term in topic.relation_terms
            for s in sentences
            if term_pattern((term,)).search(s)
        }
    )


def judge(title: str | None, text: str, topic: Topic) -> Relevance:
    """Return the relevance of an article, with the score's components and the terms found."""
    weights = topic.weights
    full = headline_and_text(title, text)
    china = find_terms(full, topic.china_terms)
    russia = find_terms(full, topic.russia_terms)
    body = _body(title, text)
    paragraphs = [p for p in body.splitlines() if p.strip()]
    sentences = [s for p in paragraphs for s in SENTENCE_END.split(p) if s and s.strip()]
    joint_sentences = [s for s in sentences if _names_both(s, topic)]
    joint_paragraphs = [p for p in paragraphs if _names_both(p, topic)]
    relation = _relation_terms(joint_sentences, topic)
    relation_words = sorted(
        {w.lower() for s in joint_sentences for w in find_terms(s, topic.relation_terms)}
    )

    title_both = bool(title) and _names_both(title or "", topic)
    lead_both = _names_both(body[:LEAD_CHARS], topic)
    components = {
        "title": weights.title if title_both else 0.0,
        "lead": weights.lead if lead_both else 0.0,
        "sentences": weights.sentence * min(len(joint_sentences), weights.max_sentences),
        "paragraphs": weights.paragraph * min(len(joint_paragraphs), weights.max_paragraphs),
        "relation": weights.relation * min(len(relation), weights.max_relation),
    }
    score = round(sum(components.values()), 2)
    enough = len(china) >= topic.min_mentions and len(russia) >= topic.min_mentions
    evidence = {
        "components": components,
        "china": sorted(set(china)),
        "russia": sorted(set(russia)),
        "relation": relation_words,
        "relation_terms": relation,
        "joint_sentences": len(joint_sentences),
        "joint_paragraphs": len(joint_paragraphs),
        "examples": [s.strip()[:200] for s in joint_sentences[:3]],
        "min_mentions_met": enough,
    }
    return Relevance(
        score,
        topic.threshold,
        enough and score >= topic.threshold,
        len(china),
        len(russia),
        evidence,
    )
