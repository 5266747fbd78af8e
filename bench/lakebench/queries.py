"""The views and the README's example questions, timed on a `warehouse.reader`."""

from __future__ import annotations

import re

from bench.lakebench.shape import ROOT
from bench.timing import timed

VIEWS = {
    "stories: count(*)": "select count(*) from stories",
    "stories: last 7 days": (
        "select day, source, title, relevance from stories "
        "where day >= current_date - 7 order by dated_at desc"
    ),
    "keyword_trends_daily: count(*)": "select count(*) from keyword_trends_daily",
    "keyword_trends_daily: 1 keyword, 90 days": (
        "select * from keyword_trends_daily "
        "where keyword = 'gas' and day >= current_date - 90 order by day"
    ),
    "feed_health: all": "select * from feed_health",
}


def readme_queries() -> dict[str, str]:
    """Return the README's "Five questions" SQL, verbatim (read from README.md, so never stale)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Five questions", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return {f"README question {i}": block for i, block in enumerate(blocks, 1)}


def time_named(con, queries: dict[str, tuple[str, dict | None]], repeat: int) -> dict[str, dict]:
    """Return best and median seconds (and rows) of each (query, parameters), fetched as Arrow."""
    results = {}
    for name, (query, params) in queries.items():
        took = timed(lambda q=query, p=params: con.execute(q, p).to_arrow_table(), repeat)
        results[name] = {"best": took.best, "median": took.median, "rows": took.result.num_rows}
    return results


def time_queries(lake, repeat: int = 3) -> dict[str, dict]:
    """Return best and median seconds (and rows) of each view query and README query."""
    from warehouse import reader, sql

    queries = {
        **{name: (query, None) for name, query in {**VIEWS, **readme_queries()}.items()},
        "sinorus trends (top_keywords.sql)": (
            sql("top_keywords"),
            {"days": 7, "top": 5, "scope": "news"},
        ),
    }
    with reader(lake) as con:
        return time_named(con, queries, repeat)
