"""Where the warehouse lives: a DuckLake catalog and the folder (or bucket) of its Parquet files.

The catalog is a SQLite file on one machine (several local processes at once) or a PostgreSQL
database beyond one (`postgres:dbname=… host=…`, libpq's key=value form). The data path holds
the Parquet files: a local folder, a shared mount, or object storage (`s3://…`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

POSTGRES = "postgres:"
SQLITE = "sqlite:"
REMOTE_DATA = re.compile(r"^[a-z][a-z0-9+.-]*://")  # s3://, gs://, az://, https://…


class WarehouseError(ValueError):
    """A warehouse location that cannot work, with the reason a person can act on."""


@dataclass(frozen=True)
class Lake:
    """A DuckLake warehouse: its catalog (normalised) and its data path."""

    catalog: str  # "sqlite:/absolute/file.sqlite" or "postgres:<libpq conninfo>"
    data_path: str  # an absolute folder ending in "/", or a URL such as s3://bucket/prefix/
    commit_limit: bool = True  # batch commits also hold Prefect's `warehouse-commit` limit

    @classmethod
    def at(
        cls, catalog: str, data_path: str | Path | None = None, commit_limit: bool = True
    ) -> Lake:
        """Return the lake for a catalog string and data path (derived from a file catalog if None).

        Raises WarehouseError for a catalog that is not a SQLite file or a PostgreSQL conninfo.
        """
        catalog = str(catalog).strip()
        if catalog.startswith(POSTGRES):
            if not catalog[len(POSTGRES) :].strip():
                raise WarehouseError(
                    "a postgres catalog needs a conninfo: postgres:dbname=… host=…"
                )
            if not data_path:
                raise WarehouseError("a postgres catalog needs warehouse.data_path")
            return cls(catalog, _data_path(data_path), commit_limit)
        path = Path(catalog.removeprefix(SQLITE)).expanduser()
        if not path.name:
            raise WarehouseError(f"no catalog file in {catalog!r}")
        if path.suffix in (".duckdb", ".ddb"):
            raise WarehouseError(
                f"{path} is a DuckDB file, the storage of earlier versions: copy it into the "
                "lake with `sinorus warehouse import` and point warehouse.catalog at a "
                ".sqlite file (or a postgres: conninfo)"
            )
        path = path.resolve()
        return cls(
            f"{SQLITE}{path}", _data_path(data_path or path.with_suffix(".lake")), commit_limit
        )

    @property
    def kind(self) -> str:
        """Return 'sqlite' or 'postgres'."""
        return "postgres" if self.catalog.startswith(POSTGRES) else "sqlite"

    @property
    def catalog_file(self) -> Path | None:
        """Return the SQLite catalog file, or None for a PostgreSQL catalog."""
        return Path(self.catalog[len(SQLITE) :]) if self.kind == "sqlite" else None

    @property
    def uri(self) -> str:
        """Return what DuckDB's ATTACH takes: ducklake:<catalog>."""
        return f"ducklake:{self.catalog}"

    @property
    def key(self) -> str:
        """Return a short stable name for this lake (attachment aliases, lock ids)."""
        import hashlib

        return hashlib.sha1(self.catalog.encode()).hexdigest()[:12]

    def exists(self) -> bool:
        """Return True if a file catalog is there (a PostgreSQL catalog is assumed to be)."""
        file = self.catalog_file
        return file is None or (file.exists() and file.stat().st_size > 0)

    def describe(self) -> str:
        """Return the catalog and data path as a person reads them (no password)."""
        catalog = re.sub(r"password=\S+", "password=…", self.catalog)
        return f"{catalog} (data in {self.data_path})"


def _data_path(value: str | Path) -> str:
    text = str(value).strip()
    if REMOTE_DATA.match(text):
        return text.rstrip("/") + "/"
    # DuckLake records the data path in the catalog: absolute, so any working directory finds it.
    return str(Path(text).expanduser().resolve()) + "/"
