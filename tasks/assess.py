"""Judge a batch of extracted articles: relevance, keyword mentions, and duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.dedup import DedupIndex, Duplicate, signature, text_hash, to_bytes
from tasks.extract import Article
from tasks.keywords import count_keywords
from tasks.relevance import Relevance, judge


@dataclass(frozen=True)
class Assessed:
    """An article with every judgement the warehouse keeps about it."""

    article: Article
    relevance: Relevance
    mentions: dict[str, int]
    text_hash: str
    minhash: bytes
    duplicate: Duplicate | None

    @property
    def stored_as_story(self) -> bool:
        """Return True if the article counts in trends: relevant and new."""
        return self.relevance.relevant and self.duplicate is None


def assess_batch(articles: list[Article], settings: Settings, index: DedupIndex) -> list[Assessed]:
    """Return the batch's articles judged, in order; originals join the index as they pass.

    Each article is compared with the seeds, everything stored, and the earlier ones in the batch.
    """
    assessed = []
    for article in articles:
        digest = text_hash(article.text)
        minhash = signature(article.text, settings.dedup)
        duplicate = index.match(digest, minhash)
        if duplicate is None:
            index.add(article.candidate.canonical_url, digest, minhash)
        assessed.append(
            Assessed(
                article=article,
                relevance=judge(article.title, article.text, settings.topic),
                mentions=count_keywords(article.title, article.text, settings.keywords),
                text_hash=digest,
                minhash=to_bytes(minhash),
                duplicate=duplicate,
            )
        )
    return assessed


assess_batch_task = task(assess_batch, name="assess-batch", cache_policy=NONE)
