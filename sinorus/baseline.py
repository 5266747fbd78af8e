"""The seed baseline for commands that run outside a flow (`sinorus warehouse init`)."""

from __future__ import annotations

from config.settings import Settings
from tasks.assess import judge_batch
from tasks.load import load_batch
from tasks.seeds import missing_seeds
from warehouse import Lake


def load_seeds(lake: Lake, settings: Settings) -> int:
    """Return how many seed articles were loaded now (0 once they are all in the warehouse)."""
    missing = missing_seeds(lake)
    if not missing:
        return 0
    judged = judge_batch(missing, settings)
    loaded = load_batch(
        lake, judged, [], None, settings.fetch.retry_failed_after_hours, settings.dedup
    )
    return loaded.inserted
