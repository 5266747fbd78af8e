"""The warehouse as Parquet files, for analysts' own tools (pandas, R, Excel's Power Query).

`export_lake` writes every table and view an analyst can use, all read from one snapshot, into a
new folder beside the destination and then swaps it in, so a re-run replaces the last export
whole and a failed one leaves it as it was. `write_parquet` writes one query's result.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from warehouse import Lake, reader, snapshot_reader, sql

BATCH_ROWS = 100_000  # rows fetched at a time: memory stays bounded whatever the table's size
MANIFEST = "_export.json"  # marks a folder as an export: only such a folder is ever replaced
SCOPES = ("all", "news")

# Bookkeeping left out: what the pipeline keeps for itself and an analyst cannot read anything
# from (name: why).
SKIPPED = {
    "dedup_keys": "hashes of the duplicate index",
    "event_signals": "the embeddings events are compared by",
    "raw_pages": "compressed HTML kept for re-extraction",
    "schema_migrations": "migrations applied",
    "vocabularies": "allowed values of coded columns",
    "vocabulary_violations": "a consistency check, empty when all is well",
    "scoped_stories": "stories once per scope, the trend views' helper",
    "backfill_queue": "a backfill's per-URL work list",
    "rule_digests": "which keyword list the stored mentions follow",
}
# The big dated ones, partitioned by month (hive style: <name>/month=YYYY-MM/...): their query.
PARTITIONED = {"articles": "export_articles", "stories": "export_stories"}


class ExportError(Exception):
    """The destination cannot take an export (it holds something else)."""


@dataclass(frozen=True)
class Exported:
    """One table or view written: its name, kind, rows, Parquet files and path under the export."""

    name: str
    kind: str
    rows: int
    files: int
    path: str


def _counted(source: pa.RecordBatchReader, tally: list[int]) -> pa.RecordBatchReader:
    """Return the same batches, adding each one's rows to tally[0] as it passes."""

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in source:
            tally[0] += batch.num_rows
            yield batch

    return pa.RecordBatchReader.from_batches(source.schema, batches())


def write_parquet(source: pa.RecordBatchReader, path: Path) -> int:
    """Return the rows written from `source` into one Parquet file at `path` (written beside it
    first, so a failure leaves no half file)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    rows = 0
    try:
        with pq.ParquetWriter(partial, source.schema) as out:
            for batch in source:
                out.write_batch(batch)
                rows += batch.num_rows
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def _write_months(source: pa.RecordBatchReader, folder: Path, name: str) -> int:
    """Return the rows written under folder/month=YYYY-MM/ (the `month` column partitions)."""
    tally = [0]
    folder.mkdir(parents=True)
    ds.write_dataset(
        _counted(source, tally),
        folder,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("month", pa.string())]), flavor="hive"),
        basename_template=f"{name}-{{i}}.parquet",
        existing_data_behavior="error",
    )
    return tally[0]


def _export_one(
    con: duckdb.DuckDBPyConnection, name: str, kind: str, scoped: bool, scope: str, out: Path
) -> Exported:
    """Return what was written of one table or view into `out`."""
    if name in PARTITIONED:
        cursor = con.execute(sql(PARTITIONED[name]), {"scope": scope})
        rows = _write_months(cursor.to_arrow_reader(BATCH_ROWS), out / name, name)
        files = sum(1 for _ in (out / name).rglob("*.parquet"))
        return Exported(name, kind, rows, files, name)
    if scoped:
        cursor = con.execute(sql("export_scoped"), {"name": name, "scope": scope})
    else:
        cursor = con.execute(sql("export_relation"), {"name": name})
    rows = write_parquet(cursor.to_arrow_reader(BATCH_ROWS), out / f"{name}.parquet")
    return Exported(name, kind, rows, 1, f"{name}.parquet")


def _check_destination(dest: Path) -> None:
    """Raise ExportError unless dest is absent, empty, or an earlier export."""
    if not dest.exists():
        return
    if not dest.is_dir():
        raise ExportError(f"{dest} is a file, not a folder")
    if any(dest.iterdir()) and not (dest / MANIFEST).is_file():
        raise ExportError(
            f"{dest} holds files that are not an export (no {MANIFEST}): "
            "give a new or empty folder, or an earlier export's"
        )


def _swap_in(staged: Path, dest: Path) -> None:
    """Put the staged folder in dest's place, the old export (if any) removed after."""
    if not dest.exists():
        staged.rename(dest)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
    retired.rmdir()
    dest.rename(retired)
    try:
        staged.rename(dest)
    except OSError:
        retired.rename(dest)  # put the last export back: the folder is never left missing
        raise
    shutil.rmtree(retired, ignore_errors=True)


def export_lake(
    lake: Lake, dest: Path, as_of: str | int | None = None, scope: str = "all"
) -> list[Exported]:
    """Return what was written: every table and view but the bookkeeping, as Parquet under dest.

    Everything is read from one snapshot (the latest, or `as_of`); trend views in one scope.
    Raises WarehouseMissing / WarehouseError as the readers do, ExportError for a destination
    that holds something else, ValueError for an unknown scope.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    dest = Path(dest).expanduser().resolve()
    _check_destination(dest)
    # The reader first: a missing warehouse fails before anything is made on disk.
    with reader(lake) if as_of is None else snapshot_reader(lake, as_of) as con:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
        try:
            con.execute("begin transaction")  # one snapshot for every table and view
            try:
                snapshot = con.execute(sql("export_snapshot")).fetchone()[0]
                written = [
                    _export_one(con, name, kind, scoped, scope, staged)
                    for name, kind, scoped in con.execute(sql("export_relations")).fetchall()
                    if name not in SKIPPED
                ]
            finally:
                with suppress(duckdb.Error):
                    con.execute("rollback")
            manifest = {
                "snapshot": snapshot,
                "as_of": None if as_of is None else str(as_of),
                "scope": scope,
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "skipped": SKIPPED,
                "written": [asdict(item) for item in written],
            }
            (staged / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            _swap_in(staged, dest)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    return written
