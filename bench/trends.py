"""Trend views and `sinorus trends` on a lake of 1,000,000 synthetic articles.

    .venv/bin/python bench/trends.py [--dir /tmp/sinorus-trends-bench] [--articles 1000000]

The lake is built once by bench/lake.py's builder (bench/lakebench/build.py: synthetic articles,
mentions and duplicate keys over two years, the seed corpus, feeds, runs, failures), then given
what that builder predates: `story_terms` from the real `tasks.emerging.story_terms` of every
story, and `trend_settings` from the `[trends]` config. It is kept under --dir (`lake<N>.sqlite`
and its `.lake/` folder) and reused by later runs with the same --articles; `--rebuild` makes it
anew.

Timed (median of --repeat runs, result fetched as Arrow, on a warm `warehouse.reader`):
  - every trend view: count(*) of the whole view (both scopes), one keyword's rows and one
    week's rows in scope 'news' (where the view has those columns);
  - the `sinorus trends` variants, in-process through the typer app (typer's CliRunner, the
    command's own code path: settings, attach, query, render); the start-up of a fresh
    `sinorus` process (interpreter, imports, DuckDB extensions, attach) is measured apart.
Goal: < 0.5 s each, PASS or MISS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import clock, timed  # noqa: E402

GOAL = 0.5
KEYWORD = "gas"  # configured; frequent enough to have rows every day at every size
TERM_CHUNK = 20_000  # stories per story_terms task

# The whole view, then one keyword's and one week's slice (scope 'news'); $week is a Monday
# in the last year of the synthetic dates.
VIEWS: dict[str, dict[str, str]] = {
    "stories": {
        "count(*)": "select count(*) from stories",
        "1 week": "select * from stories where day >= $week and day < $week + 7",
    },
    "keyword_trends_daily": {
        "count(*)": "select count(*) from keyword_trends_daily",
        "1 keyword": "select * from keyword_trends_daily where scope = 'news' and keyword = $kw",
        "1 week": (
            "select * from keyword_trends_daily where scope = 'news' "
            "and day >= $week and day < $week + 7"
        ),
    },
    "keyword_trends_weekly": {
        "count(*)": "select count(*) from keyword_trends_weekly",
        "1 keyword": "select * from keyword_trends_weekly where scope = 'news' and keyword = $kw",
        "1 week": "select * from keyword_trends_weekly where scope = 'news' and week = $week",
    },
    "source_volume": {
        "count(*)": "select count(*) from source_volume",
        "1 week": (
            "select * from source_volume where scope = 'news' and day >= $week and day < $week + 7"
        ),
    },
    "keyword_by_source": {
        "count(*)": "select count(*) from keyword_by_source",
        "1 keyword": "select * from keyword_by_source where scope = 'news' and keyword = $kw",
        "1 week": (
            "select * from keyword_by_source where scope = 'news' "
            "and day >= $week and day < $week + 7"
        ),
    },
    "keyword_cooccurrence": {
        "count(*)": "select count(*) from keyword_cooccurrence",
        "1 keyword": (
            "select * from keyword_cooccurrence where scope = 'news' "
            "and (keyword_a = $kw or keyword_b = $kw)"
        ),
    },
    "keyword_spikes": {
        "count(*)": "select count(*) from keyword_spikes",
        "1 keyword": "select * from keyword_spikes where scope = 'news' and keyword = $kw",
        "1 week": (
            "select * from keyword_spikes where scope = 'news' and day >= $week and day < $week + 7"
        ),
    },
    "emerging_terms": {
        "count(*)": "select count(*) from emerging_terms",
        "top 20": (
            "select * from emerging_terms where scope = 'news' order by ratio desc limit 20"
        ),
    },
    "feed_health": {"count(*)": "select count(*) from feed_health"},
}

# `sinorus trends` as an analyst types it (after the command name; --db is added).
TRENDS_VARIANTS: list[list[str]] = [
    [],
    ["--days", "7"],
    ["--days", "365", "--top", "10"],
    ["--days", "365", "--top", "10", "--format", "csv"],
    ["--format", "json"],
    ["--scope", "news"],
    ["--keyword", KEYWORD],
    ["--keyword", KEYWORD, "--keyword", "sanctions", "--by", "week", "--days", "365"],
    ["--by", "week", "--share", "--days", "365"],
    ["--source", "Regional Wire 1", "--days", "90"],
    ["--keyword", KEYWORD, "--plot", "{dir}/trend.png"],
]
# The SQL of the default table alone, to tell the query's time from the terminal table's.
TOP_KEYWORDS = {"days 30, top 5": (30, 5), "days 365, top 10": (365, 10)}


def environment() -> str:
    """Return a line naming the machine and the versions that matter."""
    import duckdb

    return (
        f"{os.cpu_count()} cores, python {sys.version.split()[0]}, duckdb {duckdb.__version__}, "
        f"load {os.getloadavg()[0]:.2f}"
    )


# -- The lake -----------------------------------------------------------------------------------


def terms_of(rows: list[tuple[str, str | None, str, str | None]]) -> dict[str, list[str]]:
    """Return story_terms rows (canonical_url, term) for (url, title, text, language) stories.

    Runs in a worker process.
    """
    from tasks.emerging import story_terms

    urls: list[str] = []
    terms: list[str] = []
    for url, title, text, language in rows:
        for term in story_terms(title, text, language):
            urls.append(url)
            terms.append(term)
    return {"canonical_url": urls, "term": terms}


def fill_terms(lake, workers: int) -> int:
    """Return the story_terms rows added for the stories that have none yet (the real function,
    in worker processes; one commit)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    import pyarrow as pa

    from warehouse import reader, writer

    with reader(lake) as con:
        table = con.execute(
            "select canonical_url, title, text, language from articles "
            "where relevant and duplicate_of is null "
            "and canonical_url not in (select canonical_url from story_terms)"
        ).to_arrow_table()
    columns = [table.column(name).to_pylist() for name in table.column_names]
    stories = list(zip(*columns, strict=True))
    del table, columns
    chunks = [stories[at : at + TERM_CHUNK] for at in range(0, len(stories), TERM_CHUNK)]
    parts = []
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for done, part in enumerate(pool.map(terms_of, chunks), 1):
            parts.append(pa.table(part))
            if done % 10 == 0:
                print(f"    terms of {done * TERM_CHUNK:,} stories", flush=True)
    terms = pa.concat_tables(parts) if parts else pa.table({"canonical_url": [], "term": []})
    with writer(lake, "bench story terms", {"rows": terms.num_rows}) as con:
        con.register("bench_terms", terms)
        con.execute("insert into story_terms by name select * from bench_terms")
        con.unregister("bench_terms")
    return terms.num_rows


def set_trend_settings(lake, settings) -> None:
    """Store the [trends] thresholds, as a monitor run's start does."""
    import pyarrow as pa

    from warehouse import sql, writer

    with writer(lake, "bench trend settings") as con:
        con.register("run_trend_settings", pa.Table.from_pylist(settings.trends.as_rows()))
        con.execute(sql("replace_trend_settings"))


def lake_for(folder: Path, size: int, workers: int, rebuild: bool):
    """Return the bench lake of `size` articles under `folder`, building it unless it is there."""
    import shutil
    from datetime import UTC, datetime, timedelta

    from bench.lakebench.build import build
    from config import load_settings
    from warehouse import Lake

    settings = load_settings()
    catalog = folder / f"lake{size}.sqlite"
    done = folder / f"lake{size}.done"
    lake = Lake.at(str(catalog))
    if done.exists() and not rebuild:
        print(f"reusing the lake of {size:,} articles at {catalog}", flush=True)
        return lake
    for path in folder.glob(f"lake{size}.*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=6)
    print(f"building a lake of {size:,} articles at {catalog}", flush=True)
    with clock() as building:
        made = build(lake, size, settings, workers, end.timestamp())
        print(f"  articles in {made['build_s']:.0f} s", flush=True)
        with clock() as terms:
            added = fill_terms(lake, workers)
        print(f"  {added:,} story terms in {terms.wall:.0f} s", flush=True)
        set_trend_settings(lake, settings)
    done.write_text(f"built in {building.wall:.0f} s\n")
    return lake


def lake_facts(lake) -> str:
    """Return one line of the lake's row counts and Parquet files."""
    from warehouse import reader

    with reader(lake) as con:
        counts = con.execute(
            "select (select count(*) from articles), (select count(*) from stories), "
            "(select count(*) from keyword_mentions), (select count(*) from story_terms)"
        ).fetchone()
    files = sum(1 for _ in Path(lake.data_path).rglob("*.parquet"))
    return (
        f"{counts[0]:,} articles, {counts[1]:,} stories, {counts[2]:,} keyword mentions, "
        f"{counts[3]:,} story terms, {files} Parquet files"
    )


# -- Timing -------------------------------------------------------------------------------------


def time_views(lake, repeat: int) -> list[tuple[str, float, float, int]]:
    """Return (name, best, median, rows) of every view query, and of `sinorus trends`' SQL."""
    from warehouse import reader, sql

    out = []
    with reader(lake) as con:
        last = con.execute("select max(day) from stories").fetchone()[0]
        week = con.execute(
            "select cast(date_trunc('week', $last - 30) as date)", {"last": last}
        ).fetchone()[0]
        values = {"kw": KEYWORD, "week": week}
        for view, queries in VIEWS.items():
            for label, query in queries.items():
                params = {k: v for k, v in values.items() if f"${k}" in query}
                took = timed(lambda q=query, p=params: con.execute(q, p).to_arrow_table(), repeat)
                table = took.result
                rows = table.column(0)[0].as_py() if label == "count(*)" else table.num_rows
                out.append((f"{view}: {label}", took.best, took.median, rows))
                print(f"  {view}: {label:<10} {took.median:8.3f} s  ({rows:,} rows)", flush=True)
        for label, (days, top) in TOP_KEYWORDS.items():
            params = {"days": days, "top": top, "scope": "all"}
            took = timed(
                lambda p=params: con.execute(sql("top_keywords"), p).to_arrow_table(), repeat
            )
            out.append((f"top_keywords.sql: {label}", took.best, took.median, took.result.num_rows))
            print(f"  top_keywords.sql: {label:<16} {took.median:8.3f} s", flush=True)
    return out


def time_commands(catalog: str, repeat: int) -> list[tuple[str, float, float, int]]:
    """Return (name, best, median, exit code) of each `sinorus trends` variant, in-process."""
    from typer.testing import CliRunner

    from sinorus.cli import app

    runner = CliRunner()
    out = []
    folder = str(Path(catalog).parent)
    for variant in TRENDS_VARIANTS:
        args = ["trends", *(a.replace("{dir}", folder) for a in variant), "--db", catalog]
        runner.invoke(app, args)  # the first call attaches the lake: start-up, timed apart
        took = timed(lambda a=args: runner.invoke(app, a), repeat)
        result = took.result
        name = "sinorus " + " ".join(["trends", *variant]).replace("{dir}/", "")
        if result.exit_code != 0:
            print(f"  {name}: exit {result.exit_code}: {result.output.strip()[:200]}", flush=True)
        out.append((name, took.best, took.median, result.exit_code))
        print(f"  {name:<40} {took.median:8.3f} s", flush=True)
    return out


def time_startup(catalog: str, repeat: int) -> list[tuple[str, float, float, int]]:
    """Return fresh-process times: `sinorus --help` (imports only) and `sinorus trends`."""
    out = []
    for name, args in (
        ("fresh process: sinorus --help", ["--help"]),
        ("fresh process: sinorus trends", ["trends", "--db", catalog]),
    ):
        command = [sys.executable, "-m", "sinorus.cli", *args]

        def run(c=command) -> int:
            return subprocess.run(c, cwd=ROOT, capture_output=True).returncode

        took = timed(run, repeat)
        out.append((name, took.best, took.median, took.result))
        print(f"  {name:<40} {took.median:8.3f} s", flush=True)
    return out


def print_table(
    title: str, rows: list[tuple[str, float, float, int]], goal: bool, exits: bool = False
) -> None:
    """Print the rows as a table: name, best, median, rows or exit code, and the verdict."""
    print(f"\n{title}")
    print(f"  {'':<62} {'best s':>8} {'median s':>9} {'rows/exit':>10}  goal")
    for name, best, median, extra in rows:
        verdict = f"< {GOAL} s {'PASS' if median < GOAL else 'MISS'}" if goal else ""
        if exits and extra != 0:
            verdict = f"ERROR (exit {extra}): not timed"
        print(f"  {name:<62} {best:8.3f} {median:9.3f} {extra:>10,}  {verdict}")


def main() -> None:
    """Build or reuse the lake, time the views and the commands, and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/tmp/sinorus-trends-bench", help="where the lake is kept")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rebuild", action="store_true", help="build the lake anew")
    args = parser.parse_args()

    folder = Path(args.dir).resolve()
    # Prefect's home in the bench folder: nothing here starts it, but nothing writes ~ either.
    os.environ["PREFECT_HOME"] = str(folder / "prefect")
    os.environ.pop("SINORUS_CONFIG", None)
    os.environ.pop("SINORUS_DB", None)
    print(environment())
    lake = lake_for(folder, args.articles, args.workers, args.rebuild)
    print(lake_facts(lake), flush=True)
    catalog = str(folder / f"lake{args.articles}.sqlite")
    print("views (median of warm runs):")
    views = time_views(lake, args.repeat)
    print("commands, in-process through the typer app:")
    commands = time_commands(catalog, args.repeat)
    print("start-up, fresh processes:")
    startup = time_startup(catalog, args.repeat)
    print_table(f"trend views at {args.articles:,} articles", views, goal=True)
    print_table("sinorus trends, in-process (warm: lake attached)", commands, True, exits=True)
    print_table("start-up of a fresh process (not a goal: imports + attach)", startup, False, True)
    misses = [name for name, _, median, _ in views + commands if median >= GOAL]
    failed = [name for name, _, _, code in commands + startup if code != 0]
    if failed:
        print(f"\n{len(failed)} commands exited non-zero: {', '.join(failed)}")
    print(f"\n{len(misses)} of {len(views) + len(commands)} miss the goal of < {GOAL} s")


if __name__ == "__main__":
    main()
