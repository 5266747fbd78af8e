"""Discovery: which source lists the URLs of a backfill window."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.archive import discover_feeds
from tasks.backfill import Job
from tasks.gdelt import discover_gdelt
from tasks.listing import Discovery
from tasks.sitemaps import discover_sitemaps
from tasks.urlfile import discover_urls

DISCOVERERS = {
    "feeds": discover_feeds,
    "sitemaps": discover_sitemaps,
    "gdelt": discover_gdelt,
    "urls": discover_urls,
}


def discover(settings: Settings, job: Job) -> Discovery:
    """Return what the job's source lists for its window."""
    return DISCOVERERS[job.source](settings, job)


# Listing is network work: retried once if it raises (a source's own errors become notes).
discover_task = task(discover, name="discover", retries=1, retry_delay_seconds=5, cache_policy=NONE)
