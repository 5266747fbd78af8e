"""The step every flow begins with: the seed corpus, the warehouse's baseline, on first use."""

from __future__ import annotations

from config.settings import Settings
from tasks.assess import judge_batch_task
from tasks.load import load_batch_task
from tasks.seeds import missing_seeds_task
from warehouse import Lake


def load_baseline(lake: Lake, settings: Settings) -> int:
    """Return how many seed articles were loaded now: judged and committed like any batch."""
    missing = missing_seeds_task(lake)
    if not missing:
        return 0
    judged = judge_batch_task(missing, settings)
    loaded = load_batch_task(
        lake, judged, [], None, settings.fetch.retry_failed_after_hours, settings.dedup
    )
    return loaded.inserted
