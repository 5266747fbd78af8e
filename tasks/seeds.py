"""The seed corpus: the baseline articles shipped in warehouse/seeds/, loaded once, on first use."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from config.settings import Settings
from tasks.assess import judge_batch
from tasks.load import load_batch
from tasks.records import Article, Candidate, utcnow
from warehouse import Lake, ensure_warehouse, reader, sql

SEEDS_DIR = Path(__file__).resolve().parent.parent / "warehouse" / "seeds"
SEED_SOURCE = "seed corpus"


def seed_url(file_name: str) -> str:
    """Return the canonical URL that identifies a seed file in the warehouse."""
    return f"seed://{Path(file_name).stem}"


def read_seed_corpus(seeds_dir: Path = SEEDS_DIR) -> list[Article]:
    """Return the seed articles, dated from seeds.toml, titled by their first line."""
    with (seeds_dir / "seeds.toml").open("rb") as handle:
        manifest = tomllib.load(handle)["seed"]
    now = utcnow()
    articles = []
    for entry in manifest:
        text = (seeds_dir / entry["file"]).read_text(encoding="utf-8").strip()
        published: date = entry["published"]
        url = seed_url(entry["file"])
        candidate = Candidate(canonical_url=url, url=url, origin="seed", source=SEED_SOURCE)
        articles.append(
            Article(
                candidate=candidate,
                url=url,
                fetched_at=now,
                text=text,
                title=text.splitlines()[0].strip(),
                author=None,
                sitename=entry["source"],
                language="en",
                published_at=datetime.combine(published, time()),
                date_source="seed",
            )
        )
    return articles


def missing_seeds(lake: Lake) -> list[Article]:
    """Return the seed articles not in the warehouse yet (all of them in a new one, none after).

    Creates the warehouse (catalog, data path, schema) on first use.
    """
    ensure_warehouse(lake)
    with reader(lake) as con:
        present = {row[0] for row in con.execute(sql("seed_urls")).fetchall()}
    return [a for a in read_seed_corpus() if a.candidate.canonical_url not in present]


def load_seeds(lake: Lake, settings: Settings) -> int:
    """Return how many seed articles were loaded now, judged and committed like any batch (0
    once they are all in the warehouse); creates the warehouse on first use."""
    missing = missing_seeds(lake)
    if not missing:
        return 0
    judged = judge_batch(missing, settings)
    fetch = settings.fetch
    loaded = load_batch(
        lake,
        judged,
        [],
        None,
        fetch.retry_failed_after_hours,
        settings.dedup,
        events=settings.events,
    )
    return loaded.inserted


# Every flow begins with it; `sinorus warehouse init` calls the plain function.
load_seeds_task = task(load_seeds, name="load-seeds", cache_policy=NONE)
