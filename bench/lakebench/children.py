"""Fresh processes, as a run starts them: what a monitor run does before fetching, and the peak
memory of a run-like process that plans and commits five batches and finishes the run.

`run_child` starts `bench/lake.py --child MODE CATALOG KNOWN` (hidden flag) and reads the JSON
line the child prints; `child` is that child's side for the modes 'startup' and 'run' (the mode
'proto' is prototypes.proto_child).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.lakebench.articles import batch_articles, planted_articles
from bench.lakebench.build import seed_loader
from bench.lakebench.shape import BATCH, ROOT
from bench.timing import Laps, clock, memory_mb


def child(mode: str, catalog: str, known_file: str) -> None:
    """Print one JSON line: the start-up steps (mode 'startup') or a run's memory (mode 'run')."""
    import resource

    process = time.time()
    imports = Laps()
    import prefect  # noqa: F401  (what every run imports first, apart)

    imports.lap("import prefect")
    from config import load_settings
    from tasks.feeds import FeedResult
    from tasks.location import lake_of
    from tasks.plan import feed_states, plan_candidates
    from tasks.runs import finish_run, start_run
    from tasks.urls import Candidate
    from warehouse import ensure_warehouse

    if mode == "run":
        from tasks.assess import judge_batch
        from tasks.fetch import Failure
        from tasks.load import load_batch
        from tasks.urls import batches
    load_seeds = seed_loader()
    imports.lap("import project")
    marks = {"process": process, **imports.steps}
    rss_imported = memory_mb("VmRSS")

    work = Laps()
    step = work.call  # each step's own seconds, what runs between them apart
    settings = step("load_settings", lambda: load_settings().with_db(catalog))
    lake = lake_of(settings)
    step("ensure_warehouse", ensure_warehouse, lake)
    step("load_seeds", load_seeds, lake, settings)
    summary = step("start_run", start_run, lake, "monitor")
    step("feed_states", feed_states, lake)
    known = json.loads(Path(known_file).read_text())
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    feed = settings.feeds[0]
    if mode == "startup":
        urls = known[:10] + [f"https://startup.example.org/new-{k}" for k in range(40)]
        entries = [
            Candidate(
                canonical_url=u,
                url=u,
                origin="monitor",
                source=feed.name,
                title="t",
                published_at=now,
            )
            for u in urls
        ]
    else:
        planted = planted_articles(now)  # the same texts as the size's lake holds
        pairs = [p for n in range(5) for p in batch_articles(1000 + n, planted, now, prefix="run")]
        by_url = {a.candidate.canonical_url: a for a, _ in pairs}
        entries = [a.candidate for a, _ in pairs]
    feeds = [FeedResult(feed=feed, status="ok", entries=entries)]
    plan = step("plan_candidates", plan_candidates, lake, feeds, "monitor")
    candidates = getattr(plan, "candidates", plan)  # a Plan, or (before it) the list itself
    ready = time.time()
    result = {
        "mode": mode,
        "marks": marks,
        "steps": work.steps,
        "ready_at": ready,
        "candidates": len(candidates),
        "rss_imported_mb": rss_imported,
        "rss_planned_mb": memory_mb("VmRSS"),
    }
    if mode == "run":
        commits = []
        for batch in batches(candidates, BATCH):
            # A failure due again has no article here: it fails again (404), as a dead link does.
            failures = [
                Failure(candidate=c, stage="fetch", reason="HTTP 404", http_status=404)
                for c in batch
                if c.canonical_url not in by_url
            ]
            articles = [by_url[c.canonical_url] for c in batch if c.canonical_url in by_url]
            judged = judge_batch(articles, settings)
            with clock() as committing:
                loaded = load_batch(lake, judged, failures, summary.run_id, 24.0, settings.dedup)
            commits.append(committing.wall)
            summary.add_batch(len(batch), failures, loaded)
        finish_run(lake, summary, feeds)
        result.update(
            commits=commits,
            stored=summary.stored,
            duplicates=summary.duplicates,
            peak_mb=memory_mb("VmHWM"),
            ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            rss_end_mb=memory_mb("VmRSS"),
        )
    print(json.dumps(result))


def run_child(mode: str, lake, known_file: Path) -> dict:
    """Return the child's JSON and its wall times (to ready, and to exit), run as a fresh process."""
    started = time.time()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "lake.py"),
            "--child",
            mode,
            lake.catalog,
            str(known_file),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=tempfile.gettempdir(),
    )
    ended = time.time()
    if done.returncode != 0:
        sys.exit(f"{mode} child failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_ready"] = result["ready_at"] - started
    result["wall_exit"] = ended - started
    if "marks" in result:
        result["interpreter"] = result["marks"]["process"] - started
    return result
