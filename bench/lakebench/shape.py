"""What the synthetic lake and the measured batches look like: the numbers the parts share."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SEED = 20261130
DAYS = 730  # publication dates spread over two years, ending today
SERIES = 3  # daily columns: same source, same title, every day
COLUMN_TITLES = (
    "Rouble and yuan exchange rates for the day",
    "Daily briefing on China Russia trade and energy",
    "Foreign ministry press conference the main points",
)
BATCH = 50  # articles in a measured batch, as the monitor commits them
