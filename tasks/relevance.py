"""The topic scorer: is an article about the relationship between China and Russia?

Naming both countries is not enough: a markets wrap or a sports page does that in passing. The
score rewards the two sides appearing together where a story puts its subject — the headline, the
lead, the same sentence or paragraph — and the vocabulary of a relationship (summit, pipeline,
yuan settlement, joint exercise …) in a clause that names both. A sentence that only sets them
side by side (a match, a market, a vote, a list: tasks/relation.py) costs points instead, unless
the two cast the vote together ("China and Russia vetoed the draft"). An
article is relevant when the score reaches the threshold, each side is named `min_mentions`
times, and a relationship term links them at least `min_links` times. The evidence behind every
score is kept, so an analyst can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from config.settings import Topic
from tasks.records import Relevance
from tasks.relation import (
    acting_together,
    clauses,
    common_origin,
    found_in,
    listing_kinds,
    within,
)
from tasks.terms import Match, TermMatcher, matcher

PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at CJK end punctuation, or at . ! ? followed by a space (so "U.S." does not).
SENTENCE_END = re.compile(r"[。！？；]|[.!?؟]+(?=\s)")
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


@dataclass(frozen=True)
class TopicMatchers:
    """The matchers of a topic's term lists."""

    china: TermMatcher
    russia: TermMatcher
    pair: TermMatcher
    relation: TermMatcher
    clause: TermMatcher
    coordination: TermMatcher
    listing: dict[str, TermMatcher]
    act: TermMatcher
    among: TermMatcher
    origin: TermMatcher
    joiners: frozenset[str]


_MATCHERS: dict[int, tuple[Topic, TopicMatchers]] = {}


def topic_matchers(topic: Topic) -> TopicMatchers:
    """Return the topic's matchers, kept per Topic object (a frozen model): gathering its term
    lists of every language for each article cost more than matching most articles."""
    known = _MATCHERS.get(id(topic))
    if known is None or known[0] is not topic:  # an id is reused only once its object is gone
        if len(_MATCHERS) >= 16:
            _MATCHERS.clear()
        found = TopicMatchers(
            china=matcher(topic.china_terms),
            russia=matcher(topic.russia_terms),
            pair=matcher(topic.pair_terms),
            relation=matcher(topic.relation_terms),
            clause=matcher(topic.clause_terms),
            coordination=matcher(topic.coordination_terms),
            listing={kind: matcher(terms) for kind, terms in topic.listing_terms().items()},
            act=matcher(topic.joint_terms("act")),
            among=matcher(topic.joint_terms("among")),
            origin=matcher(topic.origin_terms),
            joiners=frozenset(t.lower() for t in topic.joint_terms("with")),
        )
        known = _MATCHERS[id(topic)] = (topic, found)
    return known[1]


Sentence = tuple[tuple[int, int], dict[str, list[str]]]  # a sentence's span, its listing words


@dataclass
class Joint:
    """Where a text names both sides: sentences, listings, paragraphs, and the linked clauses."""

    sentences: list[Sentence] = field(default_factory=list)
    listed: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    links: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    relation_hits: list[Match] = field(default_factory=list)
    pair_used: set[str] = field(default_factory=set)


def joint(
    body: str, terms: TopicMatchers, china: list[Match], russia: list[Match], pair: list[Match]
) -> Joint:
    """Return where the body names both sides (or the pair standing for both) and what links
    them there."""
    china_starts, russia_starts = [m.start for m in china], [m.start for m in russia]
    pair_starts = [m.start for m in pair]
    found = Joint()
    if not (china_starts and russia_starts) and not pair_starts:
        return found  # no span names both sides: nothing below could be found (the usual case)
    side_starts = sorted(china_starts + russia_starts + pair_starts)
    listing = {kind: m.find(body) for kind, m in terms.listing.items()}

    def both(span: tuple[int, int]) -> bool:
        return within(china_starts, span) and within(russia_starts, span)

    paragraphs, sentences = spans(body)
    breaks = terms.clause.find(body)
    coordination = terms.coordination.find(body)
    act, among, origin = terms.act.find(body), terms.among.find(body), terms.origin.find(body)

    def together(sentence: tuple[int, int]) -> bool:
        return any(
            acting_together(body, clause, china, russia, act, among, terms.joiners)
            for clause in clauses(body, sentence, breaks, coordination, side_starts)
        )

    for sentence in sentences:
        if both(sentence):
            kinds = listing_kinds(listing, sentence)
            if set(kinds) == {"vote"} and together(sentence):
                kinds = {}  # the two vote together, as one: joint action, no listing
            (found.listed if kinds else found.sentences).append((sentence, kinds))
    found.paragraphs = [p for p in paragraphs if both(p)]

    # a relationship term links the sides only in a clause of a sentence that is no listing
    relation_found = terms.relation.find(body)
    linked = [sentence for sentence, _ in found.sentences]
    if pair_starts:
        linked += [
            sentence
            for sentence in sentences
            if within(pair_starts, sentence)
            and sentence not in linked
            and not listing_kinds(listing, sentence)
        ]
    for sentence in sorted(linked):
        for clause in clauses(body, sentence, breaks, coordination, side_starts):
            hits = found_in(relation_found, clause)
            paired = [] if both(clause) else found_in(pair, clause)
            if (
                hits
                and (both(clause) or paired)
                and not common_origin(body, clause, china, russia, origin, terms.joiners)
            ):
                found.links.append((sentence, clause))
                found.relation_hits += hits
                found.pair_used |= {m.text.lower() for m in paired}
    return found


def judge(title: str | None, text: str, topic: Topic) -> Relevance:
    """Return the relevance of an article, with the score's components and the terms found."""
    weights = topic.weights
    terms = topic_matchers(topic)
    body = _body(title, text)
    china = terms.china.find(body)
    russia = terms.russia.find(body)
    title_china = terms.china.find(title or "")
    title_russia = terms.russia.find(title or "")
    china_count, russia_count = len(china) + len(title_china), len(russia) + len(title_russia)
    enough = china_count >= topic.min_mentions and russia_count >= topic.min_mentions
    # "the two neighbours" stands for both sides, but only in an article that names both enough
    pair = terms.pair.find(body) if enough else []
    found = joint(body, terms, china, russia, pair)
    joint_sentences, listed, links = found.sentences, found.listed, found.links
    relation_hits, pair_used = found.relation_hits, found.pair_used
    china_starts, russia_starts = [m.start for m in china], [m.start for m in russia]

    def both(span: tuple[int, int]) -> bool:
        return within(china_starts, span) and within(russia_starts, span)

    # "gas" (en) and "Gas" (de) are one term; inflections of one prefix term count once
    relation = sorted({m.term.lower() for m in relation_hits})
    listing_found: dict[str, set[str]] = {}
    for _, kinds in listed:
        for kind, words in kinds.items():
            listing_found.setdefault(kind, set()).update(words)
    title_kinds = listing_kinds(
        {kind: m.find(title or "") for kind, m in terms.listing.items()}, (0, 10**9)
    )
    if set(title_kinds) == {"vote"} and acting_together(
        title or "", (0, len(title or "")), title_china, title_russia,
        terms.act.find(title or ""), terms.among.find(title or ""), terms.joiners,
    ):  # fmt: skip
        title_kinds = {}
    for kind, words in title_kinds.items():
        listing_found.setdefault(kind, set()).update(words)
    title_both = bool(title_china and title_russia)
    lead = body.lstrip()
    lead_span = (len(body) - len(lead), len(body) - len(lead) + LEAD_CHARS)
    # a lead that names both only in a listing (the match report's first line) earns nothing
    lead_listed = any(s[0] < lead_span[1] for s, _ in listed) and not any(
        s[0] < lead_span[1] for s, _ in joint_sentences
    )
    n_listed = len(listed) + (1 if title_both and title_kinds else 0)
    components = {
        "title": weights.title if title_both and not title_kinds else 0.0,
        "lead": weights.lead if both(lead_span) and not lead_listed else 0.0,
        "sentences": weights.sentence * min(len(joint_sentences), weights.max_sentences),
        "paragraphs": weights.paragraph * min(len(found.paragraphs), weights.max_paragraphs),
        "relation": weights.relation * min(len(relation), weights.max_relation),
    }
    # a listing takes away what the side-by-side mentions earned, never more (no score below 0)
    components["listing"] = 0.0 - min(
        weights.listing * min(n_listed, weights.max_listing), sum(components.values())
    )
    score = round(sum(components.values()), 2)
    linked = len(links) >= topic.min_links
    evidence = {
        "components": components,
        "china": sorted({m.text for m in title_china + china}),
        "russia": sorted({m.text for m in title_russia + russia}),
        "pair": sorted(pair_used),
        "relation": sorted({m.text.lower() for m in relation_hits}),
        "relation_terms": relation,
        "joint_sentences": len(joint_sentences),
        "joint_paragraphs": len(found.paragraphs),
        "links": len(links),
        "listing": {kind: sorted(words) for kind, words in sorted(listing_found.items())},
        "listing_sentences": n_listed,
        "examples": [body[a:b].strip()[:200] for a, b in dict.fromkeys(s for s, _ in links)][:3],
        "min_mentions_met": enough,
        "min_links_met": linked,
    }
    return Relevance(
        score=score,
        threshold=topic.threshold,
        relevant=enough and linked and score >= topic.threshold,
        china_mentions=china_count,
        russia_mentions=russia_count,
        evidence=evidence,
    )
