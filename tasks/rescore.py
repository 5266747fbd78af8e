"""Replay the topic and keyword decisions on stored texts after the rules changed.

Relevance, its evidence and the keyword mentions are recomputed from each article's stored text
with the current config; nothing is fetched. Duplicate decisions are left as they are (they
depend on arrival order, not on the rules), but articles stored before fingerprints were kept
get theirs, so later duplicates of them are found without rebuilding them each run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from config.settings import Settings
from tasks.dedup import fingerprint, to_bytes
from tasks.keywords import count_keywords
from tasks.load import ARTICLES, MENTIONS
from tasks.relevance import judge
from warehouse import reader, sql, transaction, writer

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
FINGERPRINTS = pa.schema(
    [
        ARTICLES.field(name)
        for name in ("canonical_url", "minhash", "lead_minhash", "shingles", "title_key")
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
    fingerprinted: int = 0

    def as_dict(self) -> dict:
        """Return the summary as plain data."""
        return asdict(self)


def rescore(db_path: Path, settings: Settings) -> RescoreSummary:
    """Return what changed after re-judging every stored article with the current rules."""
    summary = RescoreSummary()
    rescored, mentions, prints = [], [], []
    with reader(db_path) as con:
        rows = con.execute(sql("rescore_source")).fetchall()
    for url, title, text, source, published, was_relevant, needs_print in rows:
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
        if needs_print:
            fp = fingerprint(text, title, source, published, settings.dedup)
            prints.append(
                {
                    "canonical_url": url,
                    "minhash": to_bytes(fp.minhash),
                    "lead_minhash": to_bytes(fp.lead),
                    "shingles": fp.shingles,
                    "title_key": fp.title_key,
                }
            )
        summary.articles += 1
        summary.relevant += verdict.relevant
        summary.now_relevant += verdict.relevant and not was_relevant
        summary.no_longer_relevant += was_relevant and not verdict.relevant
    summary.keyword_mentions = len(mentions)
    summary.fingerprinted = len(prints)
    with writer(db_path) as con, transaction(con):
        con.register("rescored", pa.Table.from_pylist(rescored, schema=RESCORED))
        con.register("batch_mentions", pa.Table.from_pylist(mentions, schema=MENTIONS))
        con.register("fingerprints", pa.Table.from_pylist(prints, schema=FINGERPRINTS))
        con.execute(sql("apply_rescore"))
        con.execute(sql("delete_mentions"))
        con.execute(sql("insert_mentions"))
        con.execute(sql("apply_fingerprints"))
    return summary
