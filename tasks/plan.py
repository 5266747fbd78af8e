"""Plan a run from the warehouse: feed validators, URLs to fetch, and the duplicate index."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Dedup
from tasks.dedup import DedupIndex, fingerprint, stored_fingerprint
from tasks.feeds import FeedResult, FeedState
from tasks.fetch import utcnow
from tasks.urls import Candidate, unique_candidates
from warehouse import reader, sql


def feed_states(db_path: Path) -> dict[str, FeedState]:
    """Return the stored state of every known feed, by URL."""
    with reader(db_path) as con:
        rows = con.execute(sql("feed_states")).fetchall()
    return {url: FeedState(url, etag, modified, body) for url, etag, modified, body, _ in rows}


def plan_candidates(db_path: Path, feeds: list[FeedResult], origin: str) -> list[Candidate]:
    """Return the URLs to fetch: new feed entries, then earlier failures that are due again.

    A URL already stored (relevant, irrelevant or duplicate) is never fetched again; one that
    failed waits until its retry time.
    """
    entries = unique_candidates([entry for result in feeds for entry in result.entries])
    now = utcnow()
    with reader(db_path) as con:
        known = {
            row[0]
            for row in con.execute(
                sql("known_urls"), {"urls": [c.canonical_url for c in entries], "now": now}
            ).fetchall()
        }
        due = [
            Candidate(canonical, url, origin, source, title, published)
            for canonical, url, source, title, published in con.execute(
                sql("due_failures"), {"origin": origin, "now": now}
            ).fetchall()
        ]
    fresh = [c for c in entries if c.canonical_url not in known]
    return unique_candidates(fresh + due)


def dedup_index(db_path: Path, dedup: Dedup) -> DedupIndex:
    """Return the duplicate index rebuilt from the fingerprints stored in the warehouse."""
    index = DedupIndex(dedup)
    with reader(db_path) as con:
        cursor = con.execute(sql("dedup_index"))
        while rows := cursor.fetchmany(10_000):
            for key, *stored, text, title, source in rows:
                if text is None:
                    index.add(*stored_fingerprint((key, *stored), dedup))
                else:  # stored before fingerprints were kept: fingerprint the text now
                    index.add(key, fingerprint(text, title, source, stored[-1], dedup))
    return index


feed_states_task = task(feed_states, name="feed-states", cache_policy=NONE)
plan_candidates_task = task(plan_candidates, name="plan-candidates", cache_policy=NONE)
dedup_index_task = task(dedup_index, name="dedup-index", cache_policy=NONE)
