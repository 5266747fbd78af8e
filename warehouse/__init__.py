"""The DuckDB warehouse: SQL files (migrations, views, queries) and the code that runs them."""

from warehouse.db import (
    WarehouseMissing,
    apply_views,
    connect,
    migrate,
    reader,
    sql,
    transaction,
    writer,
)

__all__ = [
    "WarehouseMissing",
    "apply_views",
    "connect",
    "migrate",
    "reader",
    "sql",
    "transaction",
    "writer",
]
