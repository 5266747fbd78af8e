"""The benches at tiny sizes, so that they cannot rot: bench/events.py's parts, in this process."""

from __future__ import annotations

import importlib.util
import pickle
import sys
from pathlib import Path

from warehouse import reader

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ("unique_article_events", "relationships_event_signals")


def _bench(name: str):
    """Return bench/<name>.py as a module (bench/ is no package of the project)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_events_bench_at_a_tiny_size(tmp_path: Path) -> None:
    """A lake of stored reports with their events is made, batches are committed into it through
    decide_events, the encoder is timed, and the table is printed with its ratios."""
    events = _bench("events")  # puts the project's root on sys.path, as when run
    from bench.eventbench.encoder import measure_encoder

    size = 400
    args = events.parser().parse_args(["--batch", "20", "--batches", "2", "--warmup", "0"])
    built = events.build_size(size, tmp_path, args)
    new = pickle.loads((tmp_path / f"events{size}.pickle").read_bytes())
    measured = events.measure_size(size, tmp_path, args)
    assert (built["rows"], built["signal_rows"]) == (size, size - size // 10)
    assert built["event_signals"] > 1000 * built["signal_rows"]  # 1 kB float16 embeddings
    assert sum(measured["methods"].values()) == 40
    assert measured["methods"]["copy"] == sum(item["copy_of"] is not None for item in new[:40])
    assert measured["candidates_batch"] > 0 and measured["decide_cpu"] > 0
    with reader(events.lake_at(tmp_path, size)) as con:
        for check in CHECKS:  # the event tables' own (the bench lake holds no articles)
            query = (ROOT / "warehouse" / "checks" / f"{check}.sql").read_text()
            assert con.execute(query).fetchall() == [], check
        stored = con.execute("select count(*) from article_events").fetchone()[0]
    assert stored == size + 40  # the measured batches are committed; the last is rolled back
    encoder = measure_encoder(repeat=1, limit=1)
    assert (encoder["short_texts"], encoder["long_texts"]) == (1, 1)
    assert encoder["long_chars"] > 4 * encoder["short_chars"]
    result = built | measured
    lines = events.table({size: result, 2 * size: result}, encoder, args)
    assert "largest/smallest" in lines[1]
    assert next(x for x in lines if x.startswith("commit in all: CPU")).endswith("1.00x ok")
    assert any(x.startswith("long (1 texts") for x in lines)
