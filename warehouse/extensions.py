"""DuckDB extensions the lake needs, found offline first.

DuckLake and its catalog scanners are not bundled in DuckDB's wheel. They come, in order of
preference: from DuckDB's own extension folder (installed earlier), from the PyPI wheels pinned in
pyproject.toml (`duckdb-extension-*`, built and signed for exactly this DuckDB), or from an online
`INSTALL`. The scanners' wheels ship the binaries under their entry-point names
(`sqlite_scanner`, `postgres_scanner`), the only names under which DuckDB will load them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

# extension name -> the Python package of its PyPI wheel
WHEELS = {
    "ducklake": "duckdb_extension_ducklake",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "icu": "duckdb_extension_icu",
}


class ExtensionUnavailable(RuntimeError):
    """A DuckDB extension that is neither installed, nor in a wheel, nor downloadable."""


def wheel_binary(name: str) -> Path | None:
    """Return the extension binary shipped by its PyPI wheel for this DuckDB, if installed."""
    spec = importlib.util.find_spec(WHEELS[name])
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    binary = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    return binary if binary.exists() else None


def _installed(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select installed from duckdb_extensions() where extension_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension `name` into `con`; raises ExtensionUnavailable with one clear line."""
    if _installed(con, name):
        con.execute(f"load {name}")
        return
    binary = wheel_binary(name)
    if binary is not None:
        # LOAD takes no parameters; the path is our own package's, quotes doubled all the same
        con.execute("load '{}'".format(str(binary).replace("'", "''")))
        return
    try:
        con.execute(f"install {name}")
        con.execute(f"load {name}")
    except duckdb.Error as exc:
        raise ExtensionUnavailable(
            f"the DuckDB extension {name!r} is not installed, no wheel "
            f"{WHEELS[name].replace('_', '-')}=={duckdb.__version__} is present, and it could "
            f"not be downloaded ({str(exc).splitlines()[0]})"
        ) from None
