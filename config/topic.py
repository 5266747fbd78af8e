"""The `[topic]` settings: the scorer's weights and each side's terms, in every language."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.strict import _Strict


class TopicWeights(_Strict):
    title: float = Field(ge=0, le=1000)
    lead: float = Field(ge=0, le=1000)
    sentence: float = Field(ge=0, le=1000)
    max_sentences: int = Field(ge=0, le=1000)
    paragraph: float = Field(ge=0, le=1000)
    max_paragraphs: int = Field(ge=0, le=1000)
    relation: float = Field(ge=0, le=1000)
    max_relation: int = Field(ge=0, le=1000)
    listing: float = Field(default=2.0, ge=0, le=1000)
    max_listing: int = Field(default=3, ge=0, le=1000)


Terms = dict[str, list[str]]


def _flatten(terms: Terms) -> tuple[str, ...]:
    return tuple(term for language in sorted(terms) for term in terms[language])


class Topic(_Strict):
    threshold: float = Field(ge=0, le=1000)
    min_mentions: int = Field(ge=1, le=1000)
    min_links: int = Field(default=0, ge=0, le=1000)
    weights: TopicWeights
    china: Terms
    russia: Terms
    relation: Terms
    pair: Terms = Field(default_factory=dict)
    clause: Terms = Field(default_factory=dict)
    coordination: Terms = Field(default_factory=dict)
    listing: dict[str, Terms] = Field(default_factory=dict)
    # joint action: `act` words (vetoed, jointly), `among` words (together with, as did) and the
    # `with` words joining the two ("and", 和)
    joint: dict[str, Terms] = Field(default_factory=dict)
    # words that introduce where something comes from ("from China and Russia": side by side)
    origin: Terms = Field(default_factory=dict)

    @field_validator("china", "russia", "relation")
    @classmethod
    def _some_terms(cls, value: Terms) -> Terms:
        if not any(value.values()):
            raise ValueError("needs at least one term")
        return value

    @property
    def china_terms(self) -> tuple[str, ...]:
        """Return the China-side terms of every language."""
        return _flatten(self.china)

    @property
    def russia_terms(self) -> tuple[str, ...]:
        """Return the Russia-side terms of every language."""
        return _flatten(self.russia)

    @property
    def relation_terms(self) -> tuple[str, ...]:
        """Return the relationship vocabulary of every language."""
        return _flatten(self.relation)

    @property
    def pair_terms(self) -> tuple[str, ...]:
        """Return the words standing for both sides at once, of every language."""
        return _flatten(self.pair)

    @property
    def clause_terms(self) -> tuple[str, ...]:
        """Return the words that start a new clause, of every language."""
        return _flatten(self.clause)

    @property
    def coordination_terms(self) -> tuple[str, ...]:
        """Return the words ("and") that start a clause when a side follows, of every language."""
        return _flatten(self.coordination)

    @property
    def origin_terms(self) -> tuple[str, ...]:
        """Return the origin words (from, из, 来自), of every language."""
        return _flatten(self.origin)

    def joint_terms(self, part: str) -> tuple[str, ...]:
        """Return the words of one part (`act`, `among`, `with`) of the joint-action rule, of
        every language."""
        return _flatten(self.joint.get(part, {}))

    def listing_terms(self) -> dict[str, tuple[str, ...]]:
        """Return, for each kind of listing (sport, market, vote, list), its words."""
        return {kind: _flatten(terms) for kind, terms in sorted(self.listing.items())}
