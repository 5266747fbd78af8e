"""Bytes per stored article before and after [retention], on a lake of real pages.

    .venv/bin/python bench/retention.py [--articles 2000] [--offtopic 0.7]

Builds a lake of `--articles` articles made from the 181 real pages of
../shared/data/extraction-benchmark (their gold text, their HTML kept as at fetch time), a share
of them off-topic and fetched long ago, then runs the maintenance pass with and without
retention and prints the Parquet bytes per article and per story.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from tasks.dedup import fingerprint  # noqa: E402
from tasks.extract_worker import compress_html  # noqa: E402
from tasks.load import load_batch  # noqa: E402
from tasks.location import lake_of  # noqa: E402
from tasks.records import Article, Assessed, Candidate, Relevance, utcnow  # noqa: E402
from tasks.upkeep.maintain import maintain  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "extraction-benchmark"


def articles(count: int, offtopic: float, dedup) -> list[Assessed]:
    """Return `count` judged articles from the benchmark pages, the off-topic ones fetched 200
    days ago (past both retention limits)."""
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (
            key,
            value["articleBody"],
            gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes()),
        )
        for key, value in truth.items()
        if (DATA / "html" / f"{key}.html.gz").exists()
    ]
    now, made = utcnow(), []
    for i in range(count):
        key, text, html = pages[i % len(pages)]
        text = f"Edition {i}. {text}"  # every article its own text hash
        relevant = i >= offtopic * count
        url = f"https://bench.example/{i}/{key[:12]}.html"
        article = Article(
            candidate=Candidate(canonical_url=url, url=url, origin="monitor", source="Bench"),
            url=url,
            fetched_at=now if relevant else now - timedelta(days=200),
            text=text,
            title=f"Edition {i}",
            published_at=now,
            date_source="page",
            # every page its own bytes: identical blobs would be stored once by Parquet's
            # dictionary, and flatter the lake
            html_zstd=compress_html(html + f"<!-- {i} -->".encode()),
        )
        verdict = Relevance(
            score=9.0 if relevant else 0.0,
            threshold=6.0,
            relevant=relevant,
            china_mentions=3,
            russia_mentions=3,
        )
        made.append(
            Assessed(
                article=article,
                relevance=verdict,
                mentions={"gas": 1} if relevant else {},
                fingerprint=fingerprint(text, None, "Bench", now, dedup),
            )
        )
    return made


def main() -> None:
    """Print bytes per article before and after retention."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--offtopic", type=float, default=0.7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sinorus-retention-") as tmp:
        settings = load_settings().with_db(str(Path(tmp) / "w.sqlite"))
        lake = lake_of(settings)
        started = time.perf_counter()
        batch = articles(args.articles, args.offtopic, settings.dedup)
        for i in range(0, len(batch), 500):
            load_batch(lake, batch[i : i + 500], [], "bench", 24.0, settings.dedup, keep_raw=True)
        built = time.perf_counter() - started
        before = maintain(lake, 0, delete_now=True)
        after = maintain(lake, 0, delete_now=True, retention=settings.retention)
        stories = sum(item.relevance.relevant for item in batch)
        print(
            f"{args.articles} articles ({args.articles - stories} off-topic, fetched 200 days ago), "
            f"built in {built:.1f} s; retention: html {settings.retention.offtopic_html_days} d, "
            f"text {settings.retention.offtopic_text_days} d"
        )
        print(
            f"  dropped: {after.offtopic_pages_dropped} pages' HTML, {after.offtopic_texts_dropped} texts"
        )
        for label, report in (("before", before), ("after", after)):
            size = report.bytes_after
            print(
                f"  {label:>6}: {size / 1e6:7.1f} MB in {report.files_after} files = "
                f"{size / args.articles / 1024:6.1f} KiB per article, "
                f"{size / stories / 1024:6.1f} KiB per story"
            )
        print(f"  ratio after/before: {after.bytes_after / before.bytes_after:.2f}")


if __name__ == "__main__":
    main()
