"""Where the settings put the warehouse: the lake's catalog and data path (no Prefect here, so
the command line can resolve it before Prefect is first imported)."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from warehouse import Lake


def lake_of(settings: Settings) -> Lake:
    """Return the lake the settings name (catalog and data path)."""
    return Lake.at(
        settings.warehouse.catalog,
        settings.warehouse.data_path or None,
        commit_limit=settings.warehouse.commit_limit,
    )


def report_path(settings: Settings) -> Path | None:
    """Return where the monitor writes its HTML report, or None when the config asks for none.

    A relative path is beside the SQLite catalog, so each warehouse keeps its own report; with
    a PostgreSQL catalog, in the lake's data folder when it is a local one, else in the working
    directory.
    """
    if not settings.report.path:
        return None
    path = Path(settings.report.path).expanduser()
    if path.is_absolute():
        return path
    lake = lake_of(settings)
    if lake.catalog_file is not None:
        return lake.catalog_file.parent / path
    if "://" not in lake.data_path:
        return Path(lake.data_path) / path
    return Path.cwd() / path
