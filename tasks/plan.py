"""Plan a run from the warehouse: feed validators and the URLs to fetch."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from tasks.records import Candidate, FeedResult, FeedState, utcnow
from tasks.urls import unique_candidates
from warehouse import Lake, reader, sql


def feed_states(lake: Lake) -> dict[str, FeedState]:
    """Return the stored state of every known feed, by URL."""
    with reader(lake) as con:
        rows = con.execute(sql("feed_states")).fetchall()
    return {
        url: FeedState(url=url, etag=etag, last_modified=modified, body_hash=body)
        for url, etag, modified, body, _ in rows
    }


def plan_candidates(lake: Lake, feeds: list[FeedResult], origin: str) -> list[Candidate]:
    """Return the URLs to fetch: new feed entries, then earlier failures that are due again.

    A URL already stored (relevant, irrelevant or duplicate) is never fetched again; one that
    failed waits until its retry time.
    """
    entries = unique_candidates([entry for result in feeds for entry in result.entries])
    now = utcnow()
    with reader(lake) as con:
        known = {
            row[0]
            for row in con.execute(
                sql("known_urls"), {"urls": [c.canonical_url for c in entries], "now": now}
            ).fetchall()
        }
        due = [
            Candidate(
                canonical_url=canonical,
                url=url,
                origin=origin,
                source=source,
                title=title,
                published_at=published,
            )
            for canonical, url, source, title, published in con.execute(
                sql("due_failures"), {"origin": origin, "now": now}
            ).fetchall()
        ]
    fresh = [c for c in entries if c.canonical_url not in known]
    return unique_candidates(fresh + due)


feed_states_task = task(feed_states, name="feed-states", cache_policy=NONE)
plan_candidates_task = task(plan_candidates, name="plan-candidates", cache_policy=NONE)
