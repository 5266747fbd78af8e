"""Replay the topic and keyword decisions on stored texts after the rules changed.

Relevance, its evidence and the keyword mentions are recomputed from each article's stored text
with the current config; nothing is fetched. Duplicate decisions are left as they are (they
depend on arrival order, not on the rules).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import pyarrow as pa

from config.settings import Settings
from tasks.keywords import count_keywords
from tasks.load import ARTICLES, MENTIONS
from tasks.relevance import judge
from warehouse import Lake, reader, sql, writer

# Subsets of the articles batch: the columns a rescore replaces.
RESCORED = pa.schema(
    [
        ARTICLES.field(name)
        for name in (
            "canonical_url",
            "relevance",
            "relevance_threshold",
            "relevant",
            "relevance_evidence",
            "china_mentions",
            "russia_mentions",
        )
    ]
)


@dataclass
class RescoreSummary:
    """What a rescore changed."""

    articles: int = 0
    now_relevant: int = 0
    no_longer_relevant: int = 0
    relevant: int = 0
    keyword_mentions: int = 0

    def as_dict(self) -> dict:
        """Return the summary as plain data."""
        return asdict(self)


def rescore(lake: Lake, settings: Settings) -> RescoreSummary:
    """Return what changed after re-judging every stored article with the current rules."""
    summary = RescoreSummary()
    rescored, mentions = [], []
    with reader(lake) as con:
        rows = con.execute(sql("rescore_source")).fetchall()
    for url, title, text, was_relevant in rows:
        verdict = judge(title, text, settings.topic)
        rescored.append(
            {
                "canonical_url": url,
                "relevance": verdict.score,
                "relevance_threshold": verdict.threshold,
                "relevant": verdict.relevant,
                "relevance_evidence": json.dumps(verdict.evidence, ensure_ascii=False),
                "china_mentions": verdict.china_mentions,
                "russia_mentions": verdict.russia_mentions,
            }
        )
        for keyword, count in count_keywords(title, text, settings.keywords).items():
            mentions.append({"canonical_url": url, "keyword": keyword, "mentions": count})
        summary.articles += 1
        summary.relevant += verdict.relevant
        summary.now_relevant += verdict.relevant and not was_relevant
        summary.no_longer_relevant += was_relevant and not verdict.relevant
    summary.keyword_mentions = len(mentions)
    with writer(lake, "rescore") as con:
        con.register("rescored", pa.Table.from_pylist(rescored, schema=RESCORED))
        con.register("batch_mentions", pa.Table.from_pylist(mentions, schema=MENTIONS))
        con.execute(sql("apply_rescore"))
        con.execute(sql("delete_mentions"))
        con.execute(sql("insert_mentions"))
    return summary
