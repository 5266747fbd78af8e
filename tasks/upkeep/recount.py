"""Keyword mentions kept in step with `[[keywords]]`: when the list changes, the next run counts
every stored article's mentions again, so the trends follow the new list without a replay.

The list's digest is stored (`rule_digests`) only after the last page is written: a run that dies
half way leaves the old digest, and the next run counts again from the start.
"""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NONE

from config.settings import Keyword
from tasks.commit import committing
from tasks.keywords import count_keywords
from tasks.load import MENTIONS
from tasks.records import utcnow
from warehouse import Lake, reader, sql

RULES = "keywords"
PAGE = 500  # articles read and written back at a time: a few MB of text


def keywords_digest(keywords: list[Keyword]) -> str:
    """Return the digest of a keyword list (names and their terms, in order)."""
    spec = [[keyword.name, list(keyword.terms)] for keyword in keywords]
    return hashlib.sha1(json.dumps(spec, ensure_ascii=False).encode("utf-8")).hexdigest()


def stored_digest(lake: Lake) -> str | None:
    """Return the digest of the keyword list the stored mentions follow, or None if unknown."""
    with reader(lake) as con:
        row = con.execute(sql("rule_digest"), {"name": RULES}).fetchone()
    return row[0] if row else None


def _page(lake: Lake, after: str) -> list[tuple[str, str | None, str]]:
    with reader(lake) as con:
        return con.execute(sql("recount_page"), {"after": after, "limit": PAGE}).fetchall()


def recount_keywords(lake: Lake, keywords: list[Keyword], run_id: str | None = None) -> int:
    """Return how many articles had their mentions counted again (0 when the list is unchanged).

    A warehouse with no digest yet (new, or from before digests) is counted once too: nobody
    knows which list its mentions follow.
    """
    digest = keywords_digest(keywords)
    if stored_digest(lake) == digest:
        return 0
    counted, after = 0, ""
    while rows := _page(lake, after):
        mentions = [
            {"canonical_url": url, "keyword": keyword, "mentions": n}
            for url, title, text in rows
            for keyword, n in count_keywords(title, text, keywords).items()
        ]
        urls = pa.table({"canonical_url": [url for url, _, _ in rows]})
        with committing(lake, "recount keywords", run_id, batch=True) as con:
            con.register("page_urls", urls)
            con.register("batch_mentions", pa.Table.from_pylist(mentions, schema=MENTIONS))
            con.execute(sql("replace_page_mentions"))
        counted += len(rows)
        after = rows[-1][0]
    with committing(lake, "keywords counted", run_id) as con:
        con.execute(sql("forget_rule_digest"), {"name": RULES})
        con.execute(sql("set_rule_digest"), {"name": RULES, "digest": digest, "now": utcnow()})
    return counted


recount_keywords_task = task(recount_keywords, name="recount-keywords", cache_policy=NONE)
