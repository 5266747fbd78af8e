"""Replay: stored articles judged again with the current rules, or re-extracted from their HTML.

`rules` re-judges each stored text (relevance and its evidence, keyword mentions, fingerprints
and their duplicate-index keys) after the topic, keyword or dedup settings changed; `html`
first re-extracts it from the page kept at fetch time (after an extractor change). Nothing is
fetched. Who was a duplicate of whom stays as it was: that depends on arrival order, not on
the rules. Articles are read a page at a time in key order (keyset paging), each page written
back in one commit through the same columns as a run's load, so memory does not grow with the
warehouse and an interrupted replay leaves every page either replayed or not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.commit import committing
from tasks.extract_worker import stored_html
from tasks.load import article_table, key_table, mention_table, term_table
from tasks.records import Article, Assessed, Candidate, Page
from warehouse import Lake, reader, sql

MODES = ("rules", "html")


@dataclass(frozen=True)
class ReplayPage:
    """One page of stored articles to replay, in key order."""

    last_key: str | None  # the key to continue after; None when the page is empty
    articles: list[Article] = field(default_factory=list)  # mode rules: the stored articles
    pages: list[Page] = field(default_factory=list)  # mode html: their kept HTML
    was_relevant: dict[str, bool] = field(default_factory=dict)


@dataclass
class Replayed:
    """What a replay changed, counted over its pages."""

    mode: str
    since: str | None = None
    until: str | None = None
    articles: int = 0
    failed: int = 0
    relevant: int = 0
    now_relevant: int = 0
    no_longer_relevant: int = 0
    keyword_mentions: int = 0

    def add(self, judged: list[Assessed], was_relevant: dict[str, bool], failed: int) -> None:
        """Count one replayed page."""
        self.failed += failed
        for item in judged:
            before = was_relevant.get(item.article.candidate.canonical_url, False)
            now = item.relevance.relevant
            self.articles += 1
            self.relevant += now
            self.now_relevant += now and not before
            self.no_longer_relevant += before and not now
            self.keyword_mentions += len(item.mentions)

    def as_dict(self) -> dict:
        """Return the counts as plain data."""
        return asdict(self)


def _candidate(row: dict) -> Candidate:
    # The stored listing date stands in for the page's, should the page give none this time.
    listed = row["published_at"] if row["date_source"] not in ("page", "none") else None
    return Candidate(
        canonical_url=row["canonical_url"],
        url=row["url"],
        origin=row["origin"],
        source=row["source"],
        title=row["title"],
        published_at=listed,
        date_source=row["date_source"] if listed else "feed",
    )


def replay_page(
    lake: Lake, mode: str, since: date | None, until: date | None, after: str, limit: int
) -> ReplayPage:
    """Return the next `limit` stored articles after key `after` in the window, as `mode` needs."""
    if mode not in MODES:
        raise ValueError(f"unknown replay mode {mode!r}: choose rules or html")
    params = {"since": since, "until": until, "after": after, "limit": limit}
    with reader(lake) as con:
        cursor = con.execute(sql(f"replay_{mode}_page"), params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows:
        return ReplayPage(last_key=None)
    was = {row["canonical_url"]: row["relevant"] for row in rows}
    if mode == "html":
        pages = [
            Page(
                candidate=_candidate(r),
                final_url=r["url"],
                html=stored_html(r),
                fetched_at=r["fetched_at"],
            )
            for r in rows
        ]
        return ReplayPage(rows[-1]["canonical_url"], pages=pages, was_relevant=was)
    articles = [
        Article(
            candidate=_candidate(r),
            url=r["url"],
            fetched_at=r["fetched_at"],
            text=r["text"],
            title=r["title"],
            author=r["author"],
            sitename=r["sitename"],
            language=r["language"],
            published_at=r["published_at"],
            date_source=r["date_source"],
        )
        for r in rows
    ]
    return ReplayPage(rows[-1]["canonical_url"], articles=articles, was_relevant=was)


def apply_replay(lake: Lake, judged: list[Assessed], settings: Settings, run_id: str) -> int:
    """Return how many articles were rewritten: judgements, mentions and index keys, one commit."""
    if not judged:
        return 0
    with committing(lake, "replay page", run_id, batch=True) as con:
        con.register("batch_articles", article_table(judged, None))
        con.register("batch_mentions", mention_table(judged))
        con.register("batch_terms", term_table(judged))
        con.register("batch_keys", key_table(judged, settings.dedup))
        con.execute(sql("apply_replay"))
        con.execute(sql("replace_mentions"))
        con.execute(sql("replace_terms"))
        con.execute(sql("replace_dedup_keys"))
    return len(judged)


replay_page_task = task(replay_page, name="replay-page", cache_policy=NONE)
apply_replay_task = task(apply_replay, name="apply-replay", cache_policy=NONE)
