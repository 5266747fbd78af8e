"""Plan a run from the warehouse: which feeds are due, and which of their links to fetch."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Feed
from tasks.load import url_table
from tasks.polling import due_feeds
from tasks.records import Candidate, FeedResult, FeedState, utcnow
from tasks.urls import unique_candidates
from warehouse import Lake, reader, sql


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The URLs a run fetches, and what each feed brought."""

    candidates: list[Candidate] = field(default_factory=list)
    new_per_feed: dict[str, int] = field(default_factory=dict)  # feed name -> links not known
    held_back: dict[str, int] = field(default_factory=dict)  # feed name -> left for next runs

    def leaving(self, left: list[Candidate]) -> Plan:
        """Return the plan with the URLs a run did not reach counted as held back too."""
        held = dict(self.held_back)
        for candidate in left:
            held[candidate.source or ""] = held.get(candidate.source or "", 0) + 1
        return Plan(candidates=self.candidates, new_per_feed=self.new_per_feed, held_back=held)


def feed_states(lake: Lake) -> dict[str, FeedState]:
    """Return what the warehouse knows of every feed it has checked, by URL."""
    with reader(lake) as con:
        cursor = con.execute(sql("feed_states"))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["url"]: FeedState(**row) for row in rows}


def select_feeds(
    feeds: list[Feed], states: dict[str, FeedState], every: bool = False
) -> tuple[list[Feed], list[Feed]]:
    """Return the configured feeds split into (due now, waiting for their time or paused)."""
    return due_feeds(feeds, states, utcnow(), every)


def plan_candidates(
    lake: Lake, feeds: list[FeedResult], origin: str, max_new_per_feed: int | None = None
) -> Plan:
    """Return the URLs to fetch: new feed entries (at most `max_new_per_feed` of a feed, newest
    first; the rest wait for the next runs), then earlier failures that are due again.

    A URL already stored (relevant, irrelevant or duplicate) is never fetched again; one that
    failed waits until its retry time.
    """
    entries = unique_candidates([entry for result in feeds for entry in result.entries])
    now = utcnow()
    with reader(lake) as con:
        con.register("batch_urls", url_table([c.canonical_url for c in entries]))
        known = {row[0] for row in con.execute(sql("known_urls"), {"now": now}).fetchall()}
        con.unregister("batch_urls")
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
    by_feed: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in fresh:
        by_feed[candidate.source or ""].append(candidate)
    taken, held_back = [], {}
    for name, links in by_feed.items():
        if max_new_per_feed is not None and len(links) > max_new_per_feed:
            # Newest first: on a feed that lists thousands, today's links go first.
            links = sorted(links, key=lambda c: c.published_at or now, reverse=True)
            held_back[name] = len(links) - max_new_per_feed
            links = links[:max_new_per_feed]
        taken += links
    return Plan(
        candidates=unique_candidates(taken + due),
        new_per_feed=dict(Counter(c.source or "" for c in fresh)),
        held_back=held_back,
    )


feed_states_task = task(feed_states, name="feed-states", cache_policy=NONE)
select_feeds_task = task(select_feeds, name="select-feeds", cache_policy=NONE)
plan_candidates_task = task(plan_candidates, name="plan-candidates", cache_policy=NONE)
