"""Work shared among runs on a work pool: the monitor's feeds split into shards, each host's pace
split among a backfill's workers, and what the runs recorded added up.

Each pooled run records its own row in `runs` (its run id is its flow run's), so what they did is
read back from the warehouse, whichever machine they ran on. Starting and waiting for the runs is
orchestration (flows/pool.py).
"""

from __future__ import annotations

import zlib

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from warehouse import Lake, reader, sql

# Counted over the runs' rows of `runs` (the columns a run summary adds up).
COUNTS = (
    "feeds_ok",
    "feeds_failed",
    "entries_seen",
    "new_urls",
    "pages_fetched",
    "pages_failed",
    "extracted",
    "relevant",
    "irrelevant",
    "duplicates",
    "stored",
)


def shard_of(name: str, shards: int) -> int:
    """Return the shard (0 … shards-1) a feed belongs to: stable across runs and machines."""
    return zlib.crc32(name.encode("utf-8")) % shards


def shard_feeds(feeds: list, shard: int, shards: int) -> list:
    """Return the feeds (anything with a `name`) of one shard, in their order."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0 … {shards - 1}")
    return [feed for feed in feeds if shard_of(feed.name, shards) == shard]


def politeness_share(settings: Settings, workers: int) -> Settings:
    """Return the settings of one of `workers` runs sharing a host: each waits `workers` times
    the pause between two requests to it (and takes its share of the parallel requests), so
    together they keep the configured pace without asking a server before every request.

    A worker that dies leaves the others at their share: slower, never faster than the limit.
    """
    if workers <= 1:
        return settings
    fetch = settings.fetch.model_copy(
        update={
            "per_host_delay_seconds": settings.fetch.per_host_delay_seconds * workers,
            "per_host_concurrency": max(1, settings.fetch.per_host_concurrency // workers),
        }
    )
    return settings.model_copy(update={"fetch": fetch})


def tally(lake: Lake, states: dict[str, str]) -> dict:
    """Return the runs' counts added up, and one line per run: its state and its own counts."""
    run_ids = [run_id.replace("-", "") for run_id in states]
    with reader(lake) as con:
        cursor = con.execute(sql("backfill_worker_runs"), {"run_ids": run_ids})
        columns = [c[0] for c in cursor.description]
        found = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    recorded = {row["run_id"]: row for row in found}
    totals = dict.fromkeys(COUNTS, 0)
    runs = []
    for flow_run_id, state in states.items():
        row = recorded.get(flow_run_id.replace("-", ""), {})
        for key in COUNTS:
            totals[key] += row.get(key) or 0
        runs.append(
            {
                "flow_run": flow_run_id,
                "state": state,
                "status": row.get("status", "not started"),
                "host": row.get("host"),
                "pages_fetched": row.get("pages_fetched") or 0,
                "stored": row.get("stored") or 0,
                "error": row.get("error"),
            }
        )
    return {"totals": totals, "runs": runs}


tally_task = task(tally, name="tally-pool-runs", cache_policy=NONE)
