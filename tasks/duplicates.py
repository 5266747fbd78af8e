"""The duplicate decision: which of a judged batch's articles repeats an earlier one, and of whom.

Decided at commit time, inside the writer's transaction (tasks/load.py asks, then writes): the
stored originals that share an index key with the batch (`dedup_keys`, the warehouse's own index)
are read back and matched, layer by layer, together with the batch's own earlier articles. The
fingerprints, their keys and the in-memory index are tasks/dedup.py's.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pyarrow as pa

from config.settings import Dedup
from tasks.dedup import DedupIndex, build_index, index_keys, piece_keys
from tasks.records import Assessed
from warehouse import sql

KEYS = pa.schema([("key", pa.int64()), ("canonical_url", pa.string())])


def key_table(assessed: list[Assessed], dedup: Dedup) -> pa.Table:
    """Return the duplicate-index keys of the articles as an Arrow table (rows of `dedup_keys`)."""
    rows = [
        {"key": key, "canonical_url": item.article.candidate.canonical_url}
        for item in assessed
        for key in index_keys(item.fingerprint, dedup)
    ]
    return pa.Table.from_pylist(rows, schema=KEYS)


def match_batch(judged: list[Assessed], index: DedupIndex) -> list[Assessed]:
    """Return the judged articles with their duplicates decided; originals join the index in order.

    `index` holds what they are compared with (at commit time: the stored originals that share a
    key with the batch), and each article is also compared with the earlier ones of the batch.
    """
    assessed = []
    for item in judged:
        duplicate = index.match(item.fingerprint)
        if duplicate is None:
            index.add(item.article.candidate.canonical_url, item.fingerprint)
        assessed.append(replace(item, duplicate=duplicate))
    return assessed


def decide_duplicates(
    con: duckdb.DuckDBPyConnection, judged: list[Assessed], dedup: Dedup
) -> list[Assessed]:
    """Return the judged articles with duplicates decided against the warehouse and the batch.

    One join finds the stored originals that share a key with the batch; only those are read.
    """
    if not judged:  # every statement costs the lake ~15 ms, rows or none
        return []
    return match_batch(judged, build_index(candidate_rows(con, judged, dedup), dedup))


def candidate_rows(con: duckdb.DuckDBPyConnection, judged: list[Assessed], dedup: Dedup) -> list:
    """Return the rows of the stored originals that share a key with the judged articles."""
    con.register("batch_keys", key_table(judged, dedup))
    pieces = piece_keys(item.fingerprint for item in judged)
    con.register("batch_pieces", pa.table({"key": pa.array(pieces, pa.int64())}))
    found = con.execute(sql("dedup_candidates"), {"min_shared": dedup.copy_min_shared})
    candidates = found.to_arrow_table()
    con.unregister("batch_keys")
    con.unregister("batch_pieces")
    if not candidates.num_rows:
        return []
    # A table of known size: DuckDB builds its join on these rows, not on every original.
    con.register("batch_candidates", candidates)
    rows = con.execute(sql("dedup_candidate_prints")).fetchall()
    con.unregister("batch_candidates")
    return rows
