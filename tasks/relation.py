"""The rules that tell a relationship from a co-occurrence: clauses and listings.

Two countries named in one sentence are not yet a relationship: "Russia sold more wheat to Egypt,
while China bought Australian barley" names both and says nothing of their dealings, and "China
beat Russia in the final" or "China and Russia abstained" only sets them side by side. So the
scorer asks two questions of each sentence naming both sides:

- Is it a listing? A sentence with the vocabulary of a contest (sport), a market, a vote or a list
  of countries ([topic.listing]) only lines the two up: it links nothing and costs points.
- Do the two act together? A vote sentence is no listing when one of its clauses names the two
  side by side as one subject ("China and Russia", 中俄, joined by nothing but [topic.joint.with]
  words) and holds a joint-action word ("vetoed", "jointly", 共同: [topic.joint.act]): "China and
  Russia vetoed the draft" is joint action; "China, Russia and India abstained", "China and
  Russia abstained together with 20 others" ([topic.joint.among]) and "Russia vetoed, while
  China abstained" stay listings.
- Do they only come from the same place? "Visitors from China and Russia", "étudiants venus de
  Chine et de Russie", 来自中国和来自俄罗斯: both sides introduced by an origin word
  ([topic.origin]: from, из, aus, 来自), alike, set them side by side; such a clause links nothing.
- Which clause holds both? A sentence is cut into clauses at words like "while", "but", "whereas"
  ([topic.clause]), and at "and" when a side follows it and the clause before already says
  something ([topic.coordination]); a relationship term links the two only inside one clause.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from tasks.terms import WORD, Match

Span = tuple[int, int]
# "and" starts a new clause only when this many words run from the last side named before it:
# "Russian President Vladimir Putin and Chinese ..." is one clause, "Russia's wheat exports rose
# and China's imports fell" is two.
MIN_CLAUSE_WORDS = 5
# a side must follow "and" within this many words ("and China's", "and the Chinese")
SIDE_WITHIN_WORDS = 3


def within(starts: Sequence[int], span: Span) -> bool:
    """Return whether any of the sorted positions lies inside the span."""
    i = bisect_left(starts, span[0])
    return i < len(starts) and starts[i] < span[1]


def found_in(matches: Sequence[Match], span: Span) -> list[Match]:
    """Return the matches that start inside the span (matches sorted by start)."""
    starts = [m.start for m in matches]
    return list(matches[bisect_left(starts, span[0]) : bisect_left(starts, span[1])])


def listing_kinds(listing: dict[str, list[Match]], span: Span) -> dict[str, list[str]]:
    """Return, for each kind of listing word found in the span, the words as written."""
    kinds = {}
    for kind, matches in listing.items():
        words = sorted({m.text.lower() for m in found_in(matches, span)})
        if words:
            kinds[kind] = words
    return kinds


def clauses(
    body: str,
    sentence: Span,
    breaks: Sequence[Match],
    coordination: Sequence[Match],
    side_starts: Sequence[int],
) -> list[Span]:
    """Return the clauses of a sentence: cut at every break word, and at a coordinating word
    with a side just after it and MIN_CLAUSE_WORDS words since the side named before it."""
    cuts = {m.start for m in found_in(breaks, sentence)}
    for word in found_in(coordination, sentence):
        start = max([sentence[0], *(c for c in cuts if c < word.start)])
        i = bisect_left(side_starts, word.start) - 1
        after = [m.end() for m in WORD.finditer(body, word.end, sentence[1])][:SIDE_WITHIN_WORDS]
        if (
            after
            and within(side_starts, (word.end, after[-1]))
            and i >= 0
            and side_starts[i] >= start
            and len(WORD.findall(body, side_starts[i], word.start)) >= MIN_CLAUSE_WORDS
        ):
            cuts.add(word.start)
    edges = [sentence[0], *sorted(c for c in cuts if c > sentence[0]), sentence[1]]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if body[a:b].strip()]


def acting_together(
    body: str,
    clause: Span,
    china: Sequence[Match],
    russia: Sequence[Match],
    act: Sequence[Match],
    among: Sequence[Match],
    joiners: frozenset[str],
) -> bool:
    """Return whether the clause holds a joint-action word, no word putting the two among
    others, and names the two as one subject: a China and a Russia term next to each other,
    with only joining words between them."""
    if not found_in(act, clause) or found_in(among, clause):
        return False
    for c in found_in(china, clause):
        for r in found_in(russia, clause):
            first, second = (c, r) if c.start <= r.start else (r, c)
            if first.start == second.start:  # one term naming both (中俄, Sino-Russian)
                return True
            gap = body[first.end : second.start]
            if len(gap) <= 12 and all(w.lower() in joiners for w in WORD.findall(gap)):
                return True
    return False


def _next_to(body: str, before: Match, after: Match, joiners: frozenset[str]) -> bool:
    """Return whether only punctuation and joining words stand between the two matches."""
    gap = body[before.end : after.start]
    return len(gap) <= 12 and all(w.lower() in joiners for w in WORD.findall(gap))


def common_origin(
    body: str,
    clause: Span,
    china: Sequence[Match],
    russia: Sequence[Match],
    origin: Sequence[Match],
    joiners: frozenset[str],
) -> bool:
    """Return whether the clause names the two only as places things come from: each side right
    after an origin word ("from China and from Russia"), or one right after it with the other
    joined to it ("from China and Russia")."""
    origins = found_in(origin, clause)
    if not origins:
        return False

    # "from China and from Russia": the origin words may stand between the two as well
    joiners = joiners | {w.lower() for o in origins for w in WORD.findall(o.text)}

    def after_origin(side: Match) -> bool:
        return any(o.end <= side.start and _next_to(body, o, side, joiners) for o in origins)

    china_found, russia_found = found_in(china, clause), found_in(russia, clause)
    if any(after_origin(c) for c in china_found) and any(after_origin(r) for r in russia_found):
        return True
    for c in china_found:
        for r in russia_found:
            first, second = (c, r) if c.start <= r.start else (r, c)
            if after_origin(first) and _next_to(body, first, second, joiners):
                return True
    return False
