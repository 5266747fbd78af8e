"""Judge a batch of extracted articles: relevance, keyword mentions, and duplicates."""

from __future__ import annotations

from dataclasses import replace

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.dedup import DedupIndex, fingerprint
from tasks.emerging import story_terms
from tasks.keywords import count_keywords
from tasks.records import Article, Assessed
from tasks.relevance import judge


def judge_article(article: Article, settings: Settings) -> Assessed:
    """Return the article with its relevance, keyword mentions, terms (if relevant) and
    fingerprint (no duplicate yet)."""
    relevance = judge(article.title, article.text, settings.topic)
    return Assessed(
        article=article,
        relevance=relevance,
        terms=(
            story_terms(article.title, article.text, article.language) if relevance.relevant else ()
        ),
        mentions=count_keywords(article.title, article.text, settings.keywords),
        fingerprint=fingerprint(
            article.text,
            article.title,
            article.candidate.source,
            article.published_at,
            settings.dedup,
        ),
        duplicate=None,
    )


def judge_batch(articles: list[Article], settings: Settings) -> list[Assessed]:
    """Return the batch's articles judged, in order, duplicates not yet decided.

    This is the CPU work of a batch; it needs nothing from the warehouse, so it runs before the
    commit and outside the writer lock.
    """
    return [judge_article(article, settings) for article in articles]


def match_batch(judged: list[Assessed], index: DedupIndex) -> list[Assessed]:
    """Return the judged articles with their duplicates decided; originals join the index in order.

    `index` holds what they are compared with (at commit time: the stored originals that share a
    key with the batch), and each article is also compared with the earlier ones of the batch.
    """
    assessed = []
    for item in judged:
        duplicate = index.match(item.fingerprint)
        if duplicate is None:
            index.add(item.article.candidate.canonical_url, item.fingerprint)
        assessed.append(replace(item, duplicate=duplicate))
    return assessed


def assess_batch(articles: list[Article], settings: Settings, index: DedupIndex) -> list[Assessed]:
    """Return the batch's articles judged and matched against `index` (evaluation, tests)."""
    return match_batch(judge_batch(articles, settings), index)


judge_batch_task = task(judge_batch, name="judge-batch", cache_policy=NONE)
