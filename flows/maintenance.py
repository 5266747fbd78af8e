"""The maintenance flow: the lake's upkeep (small files merged, old snapshots expired)."""

from __future__ import annotations

from prefect import flow

from config import load_settings
from tasks.location import lake_of
from tasks.upkeep.maintain import ChecksFailed, maintain_task


@flow(name="maintenance", log_prints=True)
def maintenance(
    config_path: str | None = None, db_path: str | None = None, keep_days: float | None = None
) -> dict:
    """Return what one maintenance pass did (retention, files and snapshots before and after).

    Raises ChecksFailed (the run ends failed, after its report is logged) when a check of the lake
    fails after the pass: the nightly deployment's runs show a lake that breaks an invariant.
    """
    settings = load_settings(config_path).with_db(db_path)
    keep = settings.warehouse.keep_snapshots_days if keep_days is None else keep_days
    report = maintain_task(lake_of(settings), keep, retention=settings.retention)
    if report.checks_failed:
        print(report.as_dict())
        raise ChecksFailed(report.checks_failed)
    return report.as_dict()
