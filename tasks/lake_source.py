"""A page source that reads the lake: stored articles, a page at a time, for a replay.

`rules` gives the stored articles themselves, to be judged again with the current rules
(relevance and its evidence, keyword mentions, fingerprints and their duplicate-index keys) after
the topic, keyword or dedup settings changed; `html` gives the pages kept at fetch time, to be
extracted again first (after an extractor change). Nothing is fetched. Articles are read in key
order (keyset paging), `size` at a time, so memory does not grow with the warehouse; each batch
then goes through the same stages as a fetched one (tasks/pipeline.py) into a sink that rewrites
it in one commit (tasks/sinks.Rewrite), so an interrupted replay leaves every page either
replayed or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from prefect import task
from prefect.cache_policies import NONE

from tasks.extract_worker import stored_html
from tasks.pipeline import Batch
from tasks.records import Article, Candidate, Page
from warehouse import Lake, reader, sql

MODES = ("rules", "html")

Read = Callable[[Lake, str, date | None, date | None, str, int], Batch | None]


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


def _article(row: dict, candidate: Candidate) -> Article:
    return Article(
        candidate=candidate,
        url=row["url"],
        fetched_at=row["fetched_at"],
        text=row["text"],
        title=row["title"],
        author=row["author"],
        sitename=row["sitename"],
        language=row["language"],
        published_at=row["published_at"],
        date_source=row["date_source"],
    )


def read_stored(
    lake: Lake, mode: str, since: date | None, until: date | None, after: str, limit: int
) -> Batch | None:
    """Return the next `limit` stored articles after key `after` in the window as a batch (its
    articles, or for `html` its kept pages), or None when there are no more."""
    if mode not in MODES:
        raise ValueError(f"unknown replay mode {mode!r}: choose rules or html")
    params = {"since": since, "until": until, "after": after, "limit": limit}
    with reader(lake) as con:
        cursor = con.execute(sql(f"replay_{mode}_page"), params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows:
        return None
    urls = [_candidate(r) for r in rows]
    was = {row["canonical_url"]: row["relevant"] for row in rows}
    if mode == "html":
        pages = [
            Page(candidate=c, final_url=r["url"], html=stored_html(r), fetched_at=r["fetched_at"])
            for r, c in zip(rows, urls, strict=True)
        ]
        return Batch(urls=urls, pages=pages, was_relevant=was)
    articles = [_article(r, c) for r, c in zip(rows, urls, strict=True)]
    return Batch(urls=urls, articles=articles, was_relevant=was)


def stored_batches(
    lake: Lake,
    mode: str,
    since: date | None,
    until: date | None,
    size: int,
    read: Read = read_stored,
) -> Iterator[Batch]:
    """Yield the window's stored articles as batches of `size`, in key order (`read`: how a
    page is read, read_stored or its task)."""
    after = ""
    while (batch := read(lake, mode, since, until, after, size)) is not None:
        after = batch.urls[-1].canonical_url
        yield batch


read_stored_task = task(read_stored, name="read-stored", cache_policy=NONE)
