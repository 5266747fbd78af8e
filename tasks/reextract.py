"""Backfill from kept HTML (`--source raw`): re-extract stored articles without fetching them.

For after an extractor or config change. Text, metadata, relevance, keywords and fingerprints
are replaced in place; who was a duplicate of whom stays as it was (it depends on arrival order).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.assess import judge_article
from tasks.backfill import Job
from tasks.commit import committing
from tasks.extract import extract_pages
from tasks.fetch import Failure, Page
from tasks.load import article_table, key_table, mention_table
from tasks.urls import Candidate, batches
from warehouse import Lake, reader, sql


@dataclass
class Reextracted:
    """What a re-extraction did."""

    pages: int = 0
    updated: int = 0
    failed: int = 0


def raw_pages(lake: Lake, job: Job) -> list[Page]:
    """Return the kept HTML of the stored articles dated in the job's window."""
    with reader(lake) as con:
        rows = con.execute(
            sql("raw_in_window"), {"since": job.since, "until": job.until}
        ).fetchall()
    pages = []
    for canonical, url, html, fetched, origin, source, title, published, date_source in rows:
        # The stored date stands in for the listing's, should the page give none this time.
        listed = published if date_source not in ("page", "none") else None
        candidate = Candidate(
            canonical, url, origin, source, title, listed, date_source if listed else "feed"
        )
        pages.append(Page(candidate, url, zlib.decompress(html), fetched))
    return pages


def reextract(
    lake: Lake, settings: Settings, job: Job, run_id: str | None = None
) -> tuple[Reextracted, list[Failure]]:
    """Return what re-extracting the window's stored articles changed, and the pages that failed."""
    done, failures = Reextracted(), []
    for batch in batches(raw_pages(lake, job), settings.fetch.batch_size):
        articles, failed = extract_pages(batch, settings.extract)
        judged = [judge_article(a, settings) for a in articles]
        with committing(lake, "re-extract batch", run_id, batch=True) as con:
            con.register("batch_articles", article_table(judged, None))
            con.register("batch_mentions", mention_table(judged))
            con.register("batch_keys", key_table(judged, settings.dedup))
            con.execute(sql("apply_reextract"))
            con.execute(sql("replace_mentions"))
            con.execute(sql("replace_dedup_keys"))
        done.pages += len(batch)
        done.updated += len(judged)
        done.failed += len(failed)
        failures += failed
    return done, failures


reextract_task = task(reextract, name="reextract", cache_policy=NONE)
