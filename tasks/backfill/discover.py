"""Discovery: which source lists the URLs of a backfill window."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.backfill.sources import SOURCES
from tasks.backfill.window import Discovery, Job


def discover(settings: Settings, job: Job) -> Discovery:
    """Return what the job's source lists for its window."""
    return SOURCES[job.source](settings, job)


# Listing is network work: retried once if it raises (a source's own errors become notes).
discover_task = task(discover, name="discover", retries=1, retry_delay_seconds=5, cache_policy=NONE)
