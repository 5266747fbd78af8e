"""The warehouse's SQL files: queries read by name, numbered migrations, views, table options.

Migrations are append-only and applied once each, in order; views are re-applied only when their
file changed (each carries its file's hash as its comment); the tables' storage options are set
when the lake lacks them (queries/lake/table_options_due.sql).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import duckdb

WAREHOUSE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = WAREHOUSE_DIR / "migrations"
VIEWS_DIR = WAREHOUSE_DIR / "views"
QUERIES_DIR = WAREHOUSE_DIR / "queries"


@cache
def query_files() -> dict[str, Path]:
    """Return every query file by name: warehouse/queries/<table or command>/<name>.sql."""
    found: dict[str, Path] = {}
    for path in sorted(QUERIES_DIR.rglob("*.sql")):
        if path.stem in found:
            raise RuntimeError(f"two queries named {path.stem!r}: {found[path.stem]} and {path}")
        found[path.stem] = path
    return found


@cache
def sql(name: str) -> str:
    """Return the text of the query file `name` (warehouse/queries/*/<name>.sql)."""
    return query_files()[name].read_text(encoding="utf-8")


def migration_files() -> list[tuple[int, Path]]:
    """Return the migrations as (version, file), in order."""
    files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(path.name[:3]), path) for path in files]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Return the versions applied now (the caller holds the writer lock and a transaction)."""
    con.execute(sql("create_schema_migrations"))
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for version, path in migration_files():
        if version in done:
            continue
        con.execute(path.read_text(encoding="utf-8"))
        con.execute(sql("insert_migration"), {"version": version, "name": path.name})
        applied.append(version)
    return applied


def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the views (re-)created: those whose file changed since, in file order.

    Each view carries the hash of its file as its comment (the catalog keeps a normalised text,
    not ours), so a view left as it is makes no snapshot: starting a process adds nothing.
    """
    stored = dict(
        con.execute(
            "select view_name, comment from duckdb_views() where database_name = current_database()"
        ).fetchall()
    )
    changed = []
    for path in sorted(VIEWS_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        name = path.stem.split("_", 1)[1]
        digest = "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()
        if stored.get(name) == digest:
            continue
        con.execute(text)
        # COMMENT takes no parameters; the name is a file's, the digest hex.
        con.execute(f"comment on view {name} is '{digest}'")
        changed.append(name)
    return changed


def apply_table_options(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    """Return the "table.option" set now: those the lake lacks (DuckLake refuses them for a table
    created in the same transaction, so the caller runs this after the migrations' commit)."""
    due = con.execute(sql("table_options_due"), {"alias": alias}).fetchall()
    for table_name, option_name, value in due:
        con.execute(
            sql("set_table_option"),
            {"option_name": option_name, "value": value, "table_name": table_name},
        )
    return [f"{table_name}.{option_name}" for table_name, option_name, _ in due]
