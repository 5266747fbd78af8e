"""Export the tables of a DuckDB-file warehouse to Parquet: `python export_duckdb.py FILE DIR`.

Standalone on purpose (the standard library and duckdb only): `sinorus warehouse import` runs it
under the DuckDB release that wrote the file when the installed one cannot read that release's
storage format (DuckDB 2.0 files do not open in 1.5). Prints one JSON object: the schema version
and, per table, its Parquet file and row count.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

TABLES = (
    "articles",
    "keyword_mentions",
    "feeds",
    "runs",
    "page_failures",
    "backfill_jobs",
    "backfill_queue",
    "raw_pages",
)


def export(source: Path, out: Path) -> dict:
    """Return what was exported from `source` into Parquet files under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {"duckdb": duckdb.__version__, "tables": {}}
    with duckdb.connect(str(source), read_only=True) as con:
        present = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        result["schema_version"] = (
            con.execute("select max(version) from schema_migrations").fetchone()[0]
            if "schema_migrations" in present
            else None
        )
        for table in TABLES:
            if table not in present:
                continue
            target = out / f"{table}.parquet"
            # COPY takes no parameters: the names are ours, the path quoted as a literal.
            literal = "'" + str(target).replace("'", "''") + "'"
            con.execute(f"copy (select * from {table}) to {literal} (format parquet)")
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            result["tables"][table] = {"file": str(target), "rows": rows}
    return result


if __name__ == "__main__":
    print(json.dumps(export(Path(sys.argv[1]), Path(sys.argv[2]))))
