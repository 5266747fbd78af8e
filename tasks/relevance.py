"""The topic scorer: is an article about the relationship between China and Russia?

Naming both countries is not enough: a markets wrap or a sports page does that in passing. The
score rewards the two sides appearing together where a story puts its subject — the headline, the
lead, the same sentence or paragraph — and the vocabulary of a relationship (summit, pipeline,
yuan settlement, joint exercise …) where they do. Each side must also be named at least
`min_mentions` times. The evidence behind every score is kept, so an analyst can see why.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from config.settings import Topic
from tasks.records import Relevance
from tasks.terms import matcher

PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at CJK end punctuation, or at . ! ? followed by a space (so "U.S." does not).
SENTENCE_END = re.compile(r"[。！？；]|[.!?]+(?=\s)")
LEAD_CHARS = 400


def _body(title: str | None, text: str) -> str:
    """Return the text without the headline it may start with (the headline is scored apart)."""
    body = text.lstrip()
    if title and body.startswith(title.strip()):
        body = body[len(title.strip()) :]
    return body


def spans(body: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return the (start, end) of every paragraph and of every sentence in the text."""
    paragraphs, sentences = [], []
    for para in PARAGRAPH.finditer(body):
        if not para.group().strip():
            continue
        paragraphs.append(para.span())
        start = para.start()
        for end in SENTENCE_END.finditer(body, para.start(), para.end()):
            sentences.append((start, end.end()))
            start = end.end()
        if body[start : para.end()].strip():
            sentences.append((start, para.end()))
    return paragraphs, sentences


def _any_within(starts: list[int], span: tuple[int, int]) -> bool:
    i = bisect_left(starts, span[0])
    return i < len(starts) and starts[i] < span[1]


def judge(title: str | None, text: str, topic: Topic) -> Relevance:
    """Return the relevance of an article, with the score's components and the terms found."""
    weights = topic.weights
    body = _body(title, text)
    china = matcher(topic.china_terms).find(body)
    russia = matcher(topic.russia_terms).find(body)
    title_china = matcher(topic.china_terms).find(title or "")
    title_russia = matcher(topic.russia_terms).find(title or "")
    china_starts, russia_starts = [m.start for m in china], [m.start for m in russia]

    def both(span: tuple[int, int]) -> bool:
        return _any_within(china_starts, span) and _any_within(russia_starts, span)

    paragraphs, sentences = spans(body)
    joint_sentences = [s for s in sentences if both(s)]
    joint_paragraphs = [p for p in paragraphs if both(p)]
    joint_starts = [s[0] for s in joint_sentences]
    relation_hits = [
        m
        for m in matcher(topic.relation_terms).find(body)
        if (i := bisect_left(joint_starts, m.start + 1) - 1) >= 0
        and m.start < joint_sentences[i][1]
    ]
    # "gas" (en) and "Gas" (de) are one term; inflections of one prefix term count once
    relation = sorted({m.term.lower() for m in relation_hits})
    lead = body.lstrip()
    lead_offset = len(body) - len(lead)
    components = {
        "title": weights.title if title_china and title_russia else 0.0,
        "lead": weights.lead if both((lead_offset, lead_offset + LEAD_CHARS)) else 0.0,
        "sentences": weights.sentence * min(len(joint_sentences), weights.max_sentences),
        "paragraphs": weights.paragraph * min(len(joint_paragraphs), weights.max_paragraphs),
        "relation": weights.relation * min(len(relation), weights.max_relation),
    }
    score = round(sum(components.values()), 2)
    china_count, russia_count = len(china) + len(title_china), len(russia) + len(title_russia)
    enough = china_count >= topic.min_mentions and russia_count >= topic.min_mentions
    evidence = {
        "components": components,
        "china": sorted({m.text for m in title_china + china}),
        "russia": sorted({m.text for m in title_russia + russia}),
        "relation": sorted({m.text.lower() for m in relation_hits}),
        "relation_terms": relation,
        "joint_sentences": len(joint_sentences),
        "joint_paragraphs": len(joint_paragraphs),
        "examples": [body[a:b].strip()[:200] for a, b in joint_sentences[:3]],
        "min_mentions_met": enough,
    }
    return Relevance(
        score=score,
        threshold=topic.threshold,
        relevant=enough and score >= topic.threshold,
        china_mentions=china_count,
        russia_mentions=russia_count,
        evidence=evidence,
    )
