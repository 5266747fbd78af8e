"""The warehouse's SQL files: queries read by name, numbered migrations, views, table options.

Migrations are append-only and applied once each, in order, each recorded with the sha256 of its
file: one edited after it ran is refused at start (MigrationChanged). Views are re-applied only
when their file changed (each carries its file's hash as its comment); the tables' storage options
are set when the lake lacks them (queries/lake/table_options_due.sql). Checks (warehouse/checks/,
dbt's data tests) each select the rows that break one invariant: none, and it holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.lake import WarehouseError

WAREHOUSE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = WAREHOUSE_DIR / "migrations"
VIEWS_DIR = WAREHOUSE_DIR / "views"
QUERIES_DIR = WAREHOUSE_DIR / "queries"
CHECKS_DIR = WAREHOUSE_DIR / "checks"
# Arrow batches a check's rows are counted in: a check failing on every row of a large table
# is counted without holding its rows.
CHECK_BATCH_ROWS = 65_536


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


class MigrationChanged(WarehouseError):
    """A migration the lake has applied differs from its file now (edited in place)."""


def checksum(text: str) -> str:
    """Return the sha256 (hex) of a migration's text (read with universal newlines, so a checkout
    with CRLF line endings has the same)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Return the versions applied now (the caller holds the writer lock and a transaction).

    Raises MigrationChanged, before applying anything, when an applied migration's file no longer
    has the checksum recorded for it. A migration with none recorded (applied before migration
    009) is given its file's current one.
    """
    con.execute(sql("create_schema_migrations"))
    cursor = con.execute(sql("applied_migrations"))
    columns = [column[0] for column in cursor.description]
    recorded = {
        row["version"]: row.get("checksum")
        for row in (dict(zip(columns, values, strict=True)) for values in cursor.fetchall())
    }
    files = [(v, path, path.read_text(encoding="utf-8")) for v, path in migration_files()]
    for version, path, text in files:
        stored, current = recorded.get(version), checksum(text)
        if stored is not None and stored != current:
            raise MigrationChanged(
                f"migration {path.name} was edited after this lake applied it (sha256 "
                f"{stored[:12]}… recorded, {current[:12]}… now): migrations are append-only, "
                f"so restore {path} and make the change a new migration"
            )
    applied = []
    for version, path, text in files:
        if version in recorded:
            continue
        con.execute(text)
        con.execute(sql("insert_migration"), {"version": version, "name": path.name})
        applied.append(version)
    # Applied now, or before migration 009 kept checksums.
    unrecorded = [(v, checksum(text)) for v, _, text in files if recorded.get(v) is None]
    if unrecorded:
        versions, checksums = zip(*unrecorded, strict=True)
        table = pa.table({"version": pa.array(versions, pa.int32()), "checksum": checksums})
        con.register("migration_checksums", table)
        try:
            con.execute(sql("record_migration_checksums"))
        finally:
            con.unregister("migration_checksums")
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


@dataclass(frozen=True)
class CheckResult:
    """One check on the lake: its name (its file's), what it asserts, and the rows that break it."""

    name: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # the first offending rows (run_checks' `limit`)
    offending: int  # offending rows in all

    @property
    def passed(self) -> bool:
        """Return True if no row breaks the check."""
        return self.offending == 0

    def as_dict(self) -> dict:
        """Return the result as plain data, each shown row as a dict by column."""
        return {
            "name": self.name,
            "description": self.description,
            "passed": self.passed,
            "offending": self.offending,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
        }


def check_files() -> list[Path]:
    """Return the check files (warehouse/checks/*.sql), by name."""
    return sorted(CHECKS_DIR.glob("*.sql"))


def _description(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def run_checks(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[CheckResult]:
    """Return every check's result on the lake of `con`, each with its first `limit` offending rows.

    Each check is one statement, so each sees one snapshot even while others commit.
    """
    results = []
    for path in check_files():
        text = path.read_text(encoding="utf-8")
        batches = con.execute(text).to_arrow_reader(CHECK_BATCH_ROWS)
        shown: list[tuple] = []
        offending = 0
        for batch in batches:
            if len(shown) < limit:
                head = batch.slice(0, limit - len(shown)).to_pylist()
                shown += [tuple(row.values()) for row in head]
            offending += batch.num_rows
        results.append(
            CheckResult(
                name=path.stem,
                description=_description(text),
                columns=tuple(batches.schema.names),
                rows=tuple(shown),
                offending=offending,
            )
        )
    return results
