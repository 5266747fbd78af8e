"""An analyst's DuckDB session, as a separate process: attach the lake read-only and keep it.

`python tests/analyst.py CATALOG STOP_FILE READY_FILE` attaches the lake with a plain DuckDB
client (the extensions LOADed from the wheels, as `sinorus warehouse attach` prints), then queries
the `stories` view every 0.2 s until STOP_FILE appears (READY_FILE is written after the first
read), and prints one JSON object: how many reads,
how many failed (and why), and the read times. It never detaches in between: the attachment is
held open for the whole of whatever runs meanwhile.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from warehouse.extensions import wheel_binary

POLL_SECONDS = 0.2


def main(catalog: str, stop: Path, ready: Path) -> dict:
    """Return what the polling saw."""
    con = duckdb.connect()
    for name in ("ducklake", "sqlite_scanner"):
        con.execute(f"load '{wheel_binary(name)}'")
    con.execute(f"attach 'ducklake:sqlite:{catalog}' as sinorus (read_only)")
    times, errors, counts = [], [], []
    while not stop.exists():
        started = time.perf_counter()
        try:
            counts.append(con.execute("select count(*) from sinorus.stories").fetchone()[0])
            times.append(time.perf_counter() - started)
        except duckdb.Error as exc:
            errors.append(str(exc).splitlines()[0])
        if not ready.exists():
            ready.touch()
        time.sleep(POLL_SECONDS)
    times.sort()
    return {
        "reads": len(times) + len(errors),
        "failed": len(errors),
        "errors": errors[:5],
        "p50": times[len(times) // 2] if times else None,
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))] if times else None,
        "max": times[-1] if times else None,
        "first_count": counts[0] if counts else None,
        "last_count": counts[-1] if counts else None,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
