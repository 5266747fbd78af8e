"""`sinorus warehouse import OLD.duckdb`: a DuckDB-file warehouse copied into the lake.

Earlier versions kept the warehouse in one DuckDB file (schema version 3, written by DuckDB 2.0).
Its tables are exported to Parquet — by the installed DuckDB when it can read the file, else by
the DuckDB release that wrote it, run through uv — then inserted into the lake in one commit,
each row only if its key is not there yet: importing twice, or into a lake the monitor already
fills, never duplicates a row. Every imported original gets its keys in the duplicate index.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from config.settings import Dedup
from tasks.dedup import fingerprint, from_bytes, index_keys, to_bytes
from tasks.records import Fingerprint
from warehouse import Lake, export_duckdb, sql, writer

# The schema version of the last DuckDB-file warehouse, and the DuckDB release that wrote it.
OLD_SCHEMA = 3
OLD_DUCKDB = "2.0.0"
TABLES = export_duckdb.TABLES
KEY_ROWS = pa.schema([("key", pa.int64()), ("canonical_url", pa.string())])
PRINTS = pa.schema(
    [
        ("canonical_url", pa.string()),
        ("minhash", pa.binary()),
        ("lead_minhash", pa.binary()),
        ("shingles", pa.int32()),
        ("title_key", pa.string()),
    ]
)


class ImportFailed(RuntimeError):
    """An old warehouse that cannot be imported, with what to do about it."""


@dataclass
class Imported:
    """What an import copied: rows per table, and how many were there already."""

    source: str
    exported_by: str = ""
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    indexed: int = 0  # originals given their duplicate-index keys
    fingerprinted: int = 0  # rows stored before fingerprints were kept, fingerprinted now

    def as_dict(self) -> dict:
        """Return the report as plain data."""
        return asdict(self)


def _uv() -> list[str]:
    """Return the command that runs uv: on PATH, in this environment, or the system Python's."""
    found = shutil.which("uv")
    if found:
        return [found]
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    return [shutil.which("python3") or "python3", "-m", "uv"]


def export_tables(source: Path, out: Path) -> dict:
    """Return what export_duckdb wrote for `source`: by this DuckDB, else by the one that wrote it."""
    try:
        return export_duckdb.export(source, out)
    except duckdb.IOException as exc:
        if "version number" not in str(exc):
            raise ImportFailed(f"cannot read {source}: {str(exc).splitlines()[0]}") from None
    command = [
        *_uv(),
        "run",
        "--isolated",
        "--no-project",
        "--with",
        f"duckdb=={OLD_DUCKDB}",
        "python",
        export_duckdb.__file__,
        str(source),
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise ImportFailed(
            f"{source} needs DuckDB {OLD_DUCKDB} to be read, and running it through uv failed "
            f"(exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fingerprints(
    con: duckdb.DuckDBPyConnection, urls: list[str], dedup: Dedup
) -> tuple[list[dict], list[dict]]:
    """Return the duplicate-index key rows of the imported originals, and fingerprints to store."""
    keys, prints = [], []
    cursor = con.execute(sql("imported_originals"), {"urls": urls})
    while rows := cursor.fetchmany(5_000):
        for url, digest, full, lead, count, title_key, text, title, source, published in rows:
            if full is not None and lead is not None and count is not None:
                fp = Fingerprint(
                    text_hash=digest,
                    minhash=from_bytes(full, dedup),
                    lead=from_bytes(lead, dedup),
                    shingles=count,
                    title_key=title_key,
                    published=None,
                )
            else:
                fp = fingerprint(text, title, source, published, dedup)
                prints.append(
                    {
                        "canonical_url": url,
                        "minhash": to_bytes(fp.minhash),
                        "lead_minhash": to_bytes(fp.lead),
                        "shingles": fp.shingles,
                        "title_key": fp.title_key,
                    }
                )
            keys += [{"key": key, "canonical_url": url} for key in index_keys(fp, dedup)]
    return keys, prints


def import_duckdb(source: Path, lake: Lake, dedup: Dedup) -> Imported:
    """Return what was copied from the DuckDB-file warehouse at `source` into the lake.

    Raises ImportFailed when the file is missing, unreadable, or of another schema version.
    """
    source = Path(source)
    if not source.is_file():
        raise ImportFailed(f"no DuckDB file at {source}")
    report = Imported(source=str(source))
    with tempfile.TemporaryDirectory(prefix="sinorus-import-") as tmp:
        exported = export_tables(source, Path(tmp))
        report.exported_by = f"DuckDB {exported['duckdb']}"
        if exported.get("schema_version") != OLD_SCHEMA:
            raise ImportFailed(
                f"{source} is at schema version {exported.get('schema_version')}, not "
                f"{OLD_SCHEMA}: open it once with the DuckDB-file release of sinorus "
                "(`sinorus run` migrates it), then import it"
            )
        with writer(lake, "import", {"source": str(source)}) as con:
            new_urls: list[str] = []
            for table in TABLES:
                if table not in exported["tables"]:
                    continue
                params = {"file": exported["tables"][table]["file"]}
                if table == "articles":
                    new_urls = [
                        row[0] for row in con.execute(sql("import_new_urls"), params).fetchall()
                    ]
                added = con.execute(sql(f"import_{table}"), params).fetchone()[0]
                rows = exported["tables"][table]["rows"]
                report.tables[table] = {"rows": rows, "imported": added, "present": rows - added}
            keys, prints = _fingerprints(con, new_urls, dedup)
            con.register("batch_keys", pa.Table.from_pylist(keys, schema=KEY_ROWS))
            con.register("fingerprints", pa.Table.from_pylist(prints, schema=PRINTS))
            con.execute(sql("insert_dedup_keys"))
            con.execute(sql("apply_fingerprints"))
            report.indexed = len(new_urls)
            report.fingerprinted = len(prints)
    return report
