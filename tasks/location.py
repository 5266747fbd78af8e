"""Where the settings put the warehouse: the lake's catalog and data path (no Prefect here, so
the command line can resolve it before Prefect is first imported)."""

from __future__ import annotations

from config.settings import Settings
from warehouse import Lake


def lake_of(settings: Settings) -> Lake:
    """Return the lake the settings name (catalog and data path)."""
    return Lake.at(
        settings.warehouse.catalog,
        settings.warehouse.data_path or None,
        commit_limit=settings.warehouse.commit_limit,
    )
