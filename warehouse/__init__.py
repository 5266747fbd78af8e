"""The warehouse on DuckLake: SQL files (migrations, views, queries) and the code that runs them."""

from warehouse.db import (
    Commit,
    WarehouseMissing,
    ensure_warehouse,
    reader,
    snapshot_reader,
    snapshots,
    writer,
)
from warehouse.lake import Lake, WarehouseError
from warehouse.lock import LockTimeout
from warehouse.schema import CheckResult, MigrationChanged, apply_views, migrate, run_checks, sql

__all__ = [
    "CheckResult",
    "Commit",
    "Lake",
    "LockTimeout",
    "MigrationChanged",
    "WarehouseError",
    "WarehouseMissing",
    "apply_views",
    "ensure_warehouse",
    "migrate",
    "reader",
    "run_checks",
    "snapshot_reader",
    "snapshots",
    "sql",
    "writer",
]
