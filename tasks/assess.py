"""Judge a batch of extracted articles: relevance, keyword mentions, terms and fingerprints.

Judging one article (judge_article) lives in tasks/extract_worker.py, which pool workers import
without Prefect.
"""

from __future__ import annotations

from dataclasses import replace

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.extract import pool_map
from tasks.extract_worker import judge_article, judge_job
from tasks.records import Article, Assessed

__all__ = ["judge_article", "judge_batch", "judge_batch_task"]

JOBS_PER_WORKER = 4


def judge_batch(articles: list[Article], settings: Settings, workers: int = 1) -> list[Assessed]:
    """Return the batch's articles judged, in order, duplicates not yet decided.

    This is the CPU work of a batch; it needs nothing from the warehouse, so it runs before the
    commit, outside the writer lock, and with `workers` > 1 in the extraction pool.
    """
    if workers <= 1 or len(articles) <= 1:
        return [judge_article(article, settings) for article in articles]
    # A few jobs per worker: enough to even out long and short texts, few enough that the
    # settings (~9 kB pickled) travel rarely. The HTML stays here: judging does not read it.
    size = -(-len(articles) // (JOBS_PER_WORKER * workers))
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    jobs = [([replace(a, html_zstd=None) for a in chunk], settings) for chunk in chunks]
    judged = [item for done in pool_map(judge_job, jobs, workers) for item in done]
    return [replace(item, article=article) for item, article in zip(judged, articles, strict=True)]


judge_batch_task = task(judge_batch, name="judge-batch", cache_policy=NONE)
