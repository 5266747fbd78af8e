"""The data contract: vocabularies agree with the warehouse, Arrow batches with the tables, and
imports run one way (flows -> tasks -> warehouse/config)."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

import tasks.records as records
from tasks.analyst.alerts import CLAIMS
from tasks.analyst.event_alerts import CLAIMS as EVENT_CLAIMS
from tasks.backfill.queue import QUEUE
from tasks.duplicates import KEYS
from tasks.event_assignment import EVENTS, SIGNALS
from tasks.load import ARTICLES, FAILURES, MENTIONS, RAW_PAGES, TERMS
from warehouse import Lake, ensure_warehouse, reader

ROOT = Path(__file__).resolve().parent.parent
VIEW = next((ROOT / "warehouse" / "views").glob("*_vocabulary_violations.sql"))


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Lake:
    lake = Lake.at(str(tmp_path_factory.mktemp("contract") / "w.sqlite"))
    ensure_warehouse(lake)
    return lake


def test_the_warehouse_vocabularies_are_the_python_literals(lake: Lake) -> None:
    with reader(lake) as con:
        stored = con.execute("select column_name, value from vocabularies").fetchall()
    sql: dict[str, set[str]] = {}
    for column, value in stored:
        sql.setdefault(column, set()).add(value)
    python = {column: set(records.values(v)) for column, v in records.VOCABULARIES.items()}
    assert sql == python


def test_every_vocabulary_column_is_checked_and_exists(lake: Lake) -> None:
    checked = set(re.findall(r"'(\w+\.\w+)'", VIEW.read_text(encoding="utf-8")))
    assert checked == set(records.VOCABULARIES)
    with reader(lake) as con:
        columns = {
            f"{table}.{column}"
            for table, column in con.execute(
                "select table_name, column_name from duckdb_columns() "
                "where database_name = current_database()"
            ).fetchall()
        }
    assert set(records.VOCABULARIES) <= columns


def test_a_value_outside_its_vocabulary_is_reported(lake: Lake) -> None:
    from warehouse import writer

    with writer(lake) as con:
        con.execute(
            "insert into runs (run_id, flow, started_at, status) "
            "values ('odd', 'monitor', now(), 'half-done')"
        )
    with reader(lake) as con:
        found = con.execute("select * from vocabulary_violations").fetchall()
    assert found == [("runs.status", "half-done", 1)]
    with writer(lake) as con:
        con.execute("delete from runs where run_id = 'odd'")


@pytest.mark.parametrize(
    ("schema", "table"),
    [
        (ARTICLES, "articles"),
        (MENTIONS, "keyword_mentions"),
        (TERMS, "story_terms"),
        (KEYS, "dedup_keys"),
        (RAW_PAGES, "raw_pages"),
        (QUEUE, "backfill_queue"),
        (EVENTS, "article_events"),
        (SIGNALS, "event_signals"),
        (CLAIMS, "alerts_sent"),
        (EVENT_CLAIMS, "event_alerts_sent"),
    ],
)
def test_each_arrow_batch_has_the_shape_of_its_table(schema, table: str, lake: Lake) -> None:
    """Same columns, same order, same types; Arrow has no JSON type, so JSON columns get VARCHAR
    (DuckDB's JSON is VARCHAR underneath and the insert casts it)."""
    with reader(lake) as con:
        wanted = [
            (name, "VARCHAR" if kind == "JSON" else kind)
            for name, kind, *_ in con.execute(f"describe {table}").fetchall()
        ]
        con.register("batch", schema.empty_table())
        given = [(name, kind) for name, kind, *_ in con.execute("describe batch").fetchall()]
    assert given == wanted


def test_the_failure_batch_gives_page_failures_its_columns_and_types(lake: Lake) -> None:
    """The failure batch is merged, not inserted as it is: it carries every column of the table
    but those the merge counts itself, each with the table's type (and a few of its own)."""
    counted = {"attempts", "first_failed_at", "last_failed_at"}
    with reader(lake) as con:
        table = {name: kind for name, kind, *_ in con.execute("describe page_failures").fetchall()}
        con.register("batch", FAILURES.empty_table())
        given = {name: kind for name, kind, *_ in con.execute("describe batch").fetchall()}
    assert set(table) - counted <= set(given)
    assert {name: given[name] for name in table if name in given} == {
        name: kind for name, kind in table.items() if name not in counted
    }


def test_records_are_frozen_and_keyword_only() -> None:
    classes = [
        c
        for c in vars(records).values()
        if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == records.__name__
    ]
    assert len(classes) >= 10
    for record in classes:
        assert record.__dataclass_params__.frozen, record.__name__
        assert all(f.kw_only for f in dataclasses.fields(record)), record.__name__


# ---- the import graph ----

LAYERS = {"sinorus": 3, "devtools": 2, "flows": 2, "tasks": 1, "warehouse": 0, "config": 0}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` depends on the module, not the package's __init__
            base = ROOT.joinpath(*node.module.split("."))
            for alias in node.names:
                is_module = (base / f"{alias.name}.py").exists() or (base / alias.name).is_dir()
                found.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return {name for name in found if name.split(".")[0] in LAYERS}


def _modules() -> dict[str, set[str]]:
    graph = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            graph[name] = _imports(path)
    return graph


def test_imports_run_one_way() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in _modules().items()
        for target in targets
        if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]]
        or (module.split(".")[0], target.split(".")[0])
        in {
            ("warehouse", "config"),
            ("config", "warehouse"),
            ("flows", "devtools"),
            ("devtools", "flows"),
        }
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = _modules()
    names = set(graph)

    def resolve(target: str) -> str | None:
        while target and target not in names:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {r for t in ts if (r := resolve(t)) and r != m} for m, ts in graph.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, nxt]):
                return True
        state[node] = 2
        return False

    for node in sorted(edges):
        if state.get(node) is None and visit(node, [node]):
            break
    assert cycle == [], " -> ".join(cycle)


def test_the_records_and_the_backfill_window_need_no_engine() -> None:
    """The contract and the window rules import no Prefect, DuckDB or Arrow: any code may use them."""
    heavy = {"prefect", "duckdb", "pyarrow"}
    for path in (ROOT / "tasks" / "records.py", ROOT / "tasks" / "backfill" / "window.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {
            (n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
        } | {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        assert not modules & heavy, path


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2023-03-31T23:30-05:00", "2023-04-01 04:30:00"),  # the offset counts: 1 April in UTC
        ("2023-03-05T10:00:00Z", "2023-03-05 10:00:00"),
        ("2023-03-05", "2023-03-05 00:00:00"),
        ("2023-03-05T10:00:00+03:00", "2023-03-05 07:00:00"),
    ],
)
def test_every_outside_date_becomes_naive_utc(text: str, utc: str) -> None:
    from tasks.backfill.sources.sitemaps import w3c_date
    from tasks.backfill.sources.urls import _date

    for parse in (records.parse_iso, w3c_date, _date):
        value = parse(text)
        assert value.tzinfo is None and str(value) == utc, parse


def test_a_url_file_date_with_an_offset_falls_in_its_utc_day(tmp_path: Path) -> None:
    """2023-03-31T23:30-05:00 is 1 April: outside a window that ends on 31 March."""
    from datetime import date

    from tasks.backfill.window import make_job

    listed = tmp_path / "urls.csv"
    listed.write_text("url,published\nhttps://example.com/a.html,2023-03-31T23:30-05:00\n")
    job = make_job("urls", date(2023, 3, 1), date(2023, 3, 31), "drop", listed)
    from tasks.backfill.sources import urls

    found = urls.discover(None, job)
    assert [c.published_at for c in found.candidates] == [records.parse_iso("2023-04-01T04:30")]
    assert not job.covers(found.candidates[0].published_at)


def test_no_bench_imports_the_tests() -> None:
    """The benches stand on the project (and devtools/), never on the test suite: bench/ imports
    neither `tests` nor a module found only in tests/ (put on sys.path by hand)."""
    test_modules = {path.stem for path in (ROOT / "tests").glob("*.py")}
    own = {path.stem for path in (ROOT / "bench").rglob("*.py")} | {"bench"}
    wrong = []
    for path in sorted((ROOT / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "tests" or (top in test_modules and top not in own):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert wrong == []
