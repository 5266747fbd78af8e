"""A batch of 50 judged articles: its duplicate lookup, its commit, and the commit step by step.

The batches go through the project's own code (`tasks.load.load_batch`, `tasks.duplicates.decide_duplicates` on a
read connection, `candidate_rows`); the step-by-step commit is a replica of `write_batch` (its
SQL, timed one statement at a time). Every batch's decisions are compared with an in-memory
`DedupIndex` holding the same originals.
"""

from __future__ import annotations

import statistics
import sys

from bench.lakebench.articles import agreement, batch_articles, outcome
from bench.lakebench.shape import BATCH
from bench.timing import Laps, clock


def time_lookup(lake, judged: list, dedup) -> dict:
    """Return the seconds of decide_duplicates on a read connection ("lookup"), of its SQL alone
    ("lookup_sql"), the candidate rows that SQL returned and the decisions."""
    from tasks.duplicates import candidate_rows, decide_duplicates
    from warehouse import reader

    laps = Laps()
    with reader(lake) as con:
        decided = laps.call("lookup", decide_duplicates, con, judged, dedup)
        rows = laps.call("lookup_sql", candidate_rows, con, judged, dedup)
    return {**laps.steps, "candidates": len(rows), "decided": decided}


def timed_write(lake, judged: list, run_id: str, dedup) -> dict[str, float]:
    """Return the seconds of each step of a batch commit: write_batch's SQL, timed one by one."""
    from tasks.dedup import build_index
    from tasks.duplicates import candidate_rows, key_table, match_batch
    from tasks.load import article_table, mention_table, url_table
    from warehouse import sql, writer

    laps = Laps()
    with writer(lake, "batch", {"run_id": run_id}) as con:
        laps.lap("lock + begin")
        urls = [item.article.candidate.canonical_url for item in judged]
        con.register("batch_urls", url_table(urls))
        stored = {row[0] for row in con.execute(sql("stored_urls")).fetchall()}
        fresh = [item for item in judged if item.article.candidate.canonical_url not in stored]
        laps.lap("stored_urls")
        rows = candidate_rows(con, fresh, dedup)
        laps.lap("dedup_candidates (SQL)")
        assessed = match_batch(fresh, build_index(rows, dedup))
        laps.lap("build_index + match")
        originals = [item for item in assessed if item.duplicate is None]
        con.register("batch_articles", article_table(assessed, run_id))
        con.register("batch_mentions", mention_table(assessed))
        con.register("batch_keys", key_table(originals, dedup))
        laps.lap("Arrow tables")
        con.execute(sql("insert_articles")).fetchone()
        laps.lap("insert_articles")
        con.execute(sql("insert_mentions"))
        laps.lap("insert_mentions")
        con.execute(sql("insert_dedup_keys"))
        laps.lap("insert_dedup_keys")
        con.execute(sql("clear_failures"))
        laps.lap("clear_failures")
    laps.lap("commit")
    return laps.total()


def measure_batches(
    lake, settings, planted: list, stored: list, count: int, warmup: int, phases: int
) -> tuple:
    """Return the in-memory reference index, and the lookup and commit times of `count` measured
    batches (after `warmup`), the planted copies found, and the step times of `phases` more.

    Every batch's decisions are also compared with those of an in-memory `DedupIndex` holding
    `stored` (the judged seeds and planted originals) and the earlier batches' originals.
    """
    from datetime import UTC, datetime

    from tasks.assess import judge_batch
    from tasks.dedup import DedupIndex
    from tasks.duplicates import match_batch
    from tasks.load import load_batch

    reference = DedupIndex(settings.dedup)
    for item in stored:
        reference.add(item.article.candidate.canonical_url, item.fingerprint)
    agree = disagree = 0
    now = datetime.now(UTC).replace(tzinfo=None)
    judge_s, lookups, queries, commits, candidates = [], [], [], [], []
    found = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for number in range(warmup + count):
        pairs = batch_articles(number, planted, now)
        expected = {a.candidate.canonical_url: want for a, want in pairs}
        with clock() as judging:
            judged = judge_batch([a for a, _ in pairs], settings)
        lookup = time_lookup(lake, judged, settings.dedup)
        with clock() as committing:
            loaded = load_batch(lake, judged, [], f"bench{number:028d}", 24.0, settings.dedup)
        same, different = agreement(loaded.assessed, judged, reference)
        agree, disagree = agree + same, disagree + different
        if number < warmup:
            continue
        judge_s.append(judging.wall)
        lookups.append(lookup["lookup"])
        queries.append(lookup["lookup_sql"])
        candidates.append(lookup["candidates"])
        commits.append(committing.wall)
        for key, value in outcome(loaded.assessed, expected).items():
            found[key] += value
        if loaded.inserted != BATCH:
            sys.exit(f"batch {number}: {loaded.inserted} of {BATCH} articles inserted")
    steps: dict[str, list[float]] = {}
    for number in range(warmup + count, warmup + count + phases):
        pairs = batch_articles(number, planted, now)
        judged = judge_batch([a for a, _ in pairs], settings)
        for name, seconds in timed_write(
            lake, judged, f"bench{number:028d}", settings.dedup
        ).items():
            steps.setdefault(name, []).append(seconds)
        match_batch(judged, reference)  # its originals, for later comparisons
    return reference, {
        "judge": statistics.median(judge_s),
        "lookup": statistics.median(lookups),
        "lookup_best": min(lookups),
        "lookup_sql": statistics.median(queries),
        "candidates": statistics.median(candidates),
        "commit": statistics.median(commits),
        "commit_best": min(commits),
        "commits": commits,
        "outcome": found,
        "agree": agree,
        "disagree": disagree,
        "steps": {name: statistics.median(v) for name, v in steps.items()},
    }
