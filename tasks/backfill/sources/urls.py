"""Backfill from a file of URLs: one a line, or a CSV with a `url` column."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from config.settings import Settings
from tasks.backfill.window import Discovery, Job
from tasks.records import Candidate, parse_iso
from tasks.urls import canonical_url, strip_credentials

DATE_COLUMNS = ("published", "published_at", "date")


def _date(value: str | None) -> datetime | None:
    # An offset counts: 2023-03-31T23:30-05:00 is 1 April in UTC, outside a March window.
    return parse_iso(value)


def read_url_file(path: Path) -> list[tuple[str, datetime | None]]:
    """Return the (url, publication date or None) pairs a file lists."""
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    header = [name.strip().lower() for name in first.split(",")]
    if path.suffix.lower() == ".csv" or ("," in first and "url" in header):
        reader = csv.DictReader(io.StringIO(text))
        columns = {name.lower().strip(): name for name in reader.fieldnames or []}
        if "url" not in columns:
            raise ValueError(f"{path}: a CSV needs a 'url' column (it has {', '.join(columns)})")
        dated = next((columns[c] for c in DATE_COLUMNS if c in columns), None)
        return [
            (row[columns["url"]].strip(), _date(row.get(dated)) if dated else None)
            for row in reader
            if (row.get(columns["url"]) or "").strip()
        ]
    return [(line, None) for line in lines if line and not line.startswith("#")]


def discover(settings: Settings, job: Job) -> Discovery:
    """Return the URLs of the job's file as candidates (dates, where the file gives them)."""
    found = Discovery()
    path = Path(job.arguments["urls_file"])
    for url, published in read_url_file(path):
        canonical = canonical_url(url)
        if canonical is None:
            found.notes.append(f"{path.name}: not an http(s) URL: {url!r}")
            continue
        found.candidates.append(
            Candidate(
                canonical_url=canonical,
                url=strip_credentials(url),
                origin="backfill",
                source=f"urls:{path.name}",
                published_at=published,
                date_source="listing",
            )
        )
    return found
