"""The backfill sources, one module each: `discover(settings, job) -> Discovery` lists what the
source holds for the job's window. A new source is one file here and one line below (and its
name in tasks/records.py's BackfillSource)."""

from __future__ import annotations

from collections.abc import Callable

from config.settings import Settings
from tasks.backfill.sources import feeds, gdelt, sitemaps, urls
from tasks.backfill.window import Discovery, Job

SOURCES: dict[str, Callable[[Settings, Job], Discovery]] = {
    "feeds": feeds.discover,
    "sitemaps": sitemaps.discover,
    "gdelt": gdelt.discover,
    "urls": urls.discover,
}
