"""The backfill window: what a job is, and which articles belong to it. Pure: no warehouse,
no Prefect, no Arrow — the sources and the queue both use it.

A job's id is a hash of what was asked (source, window, no-date policy, the URL file's
content), so the same command run again finds the same job.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

from tasks.records import Article, BackfillSource, Candidate, UndatedPolicy, values

SOURCES: tuple[str, ...] = values(BackfillSource)
UNDATED_POLICIES: tuple[str, ...] = values(UndatedPolicy)


@dataclass
class Discovery:
    """What a source listed for the window, and what it had to say (errors included)."""

    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Job:
    """One backfill: what was asked, and whether its URLs have been listed yet."""

    job_id: str
    source: str
    since: date
    until: date
    undated: str
    arguments: dict
    discovered: bool = False

    def covers(self, when: datetime) -> bool:
        """Return True if `when` falls in the window (both ends included, whole days)."""
        return self.since <= when.date() <= self.until

    @property
    def start(self) -> datetime:
        """Return the first instant of the window."""
        return datetime.combine(self.since, time.min)

    @property
    def end(self) -> datetime:
        """Return the last instant of the window."""
        return datetime.combine(self.until, time.max)


def make_job(source: str, since: date, until: date, undated: str, urls_file: Path | None) -> Job:
    """Return the job for these arguments; raises ValueError for arguments that cannot work."""
    if source == "raw":
        raise ValueError(
            "re-extraction from kept HTML is `sinorus replay --html --since … --until …` now"
        )
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}")
    if undated not in UNDATED_POLICIES:
        raise ValueError(f"unknown no-date policy {undated!r}: choose drop or sighting")
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    arguments: dict = {
        "source": source,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "undated": undated,
    }
    if source == "urls":
        if urls_file is None:
            raise ValueError("--source urls needs --urls FILE")
        content = Path(urls_file).read_bytes()
        arguments["urls_file"] = str(urls_file)
        arguments["urls_sha1"] = hashlib.sha1(content).hexdigest()
    digest = hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()[:16]
    return Job(
        job_id=f"{source}-{since}-{until}-{digest}",
        source=source,
        since=since,
        until=until,
        undated=undated,
        arguments=arguments,
    )


def place_in_window(
    articles: list[Article], job: Job
) -> tuple[list[Article], dict[str, tuple[str, str]]]:
    """Return the articles that belong to the window (dated per the no-date policy) and why the
    others do not, as {canonical_url: (status, reason)}.

    An article counts by its publication date: the page's, else the listing's. One with neither
    is dropped, or, under the 'sighting' policy, dated when it was seen (the listing's sighting
    date, else the fetch).
    """
    kept, rejected = [], {}
    for article in articles:
        key = article.candidate.canonical_url
        if article.published_at is None:
            if job.undated == "drop":
                rejected[key] = ("undated", "no publication date (policy: drop)")
                continue
            seen = article.candidate.seen_at or article.fetched_at
            article = replace(article, published_at=seen, date_source="sighting")
        if job.covers(article.published_at):
            kept.append(article)
        else:
            rejected[key] = ("out_of_window", f"published {article.published_at.date()}")
    return kept, rejected


def job_report(job: Job, counts: dict[str, int], notes: list[str]) -> dict:
    """Return what a summary says about the job: window, policy, counts by status, notes."""
    return {
        "job_id": job.job_id,
        "source": job.source,
        "since": job.since.isoformat(),
        "until": job.until.isoformat(),
        "undated_policy": job.undated,
        "resumed": job.discovered,
        "queue": counts,
        "notes": notes,
    }


def dry_run_report(job: Job, found: Discovery) -> dict:
    """Return what a dry run found, without anything written or fetched beyond the listings."""
    unique = {c.canonical_url: c for c in found.candidates}
    dated = [c for c in unique.values() if c.published_at is not None]
    return {
        "status": "dry-run",
        "backfill": job_report(job, {}, found.notes),
        "listed": len(found.candidates),
        "unique_urls": len(unique),
        "with_publication_date": len(dated),
        "without_date": len(unique) - len(dated),
        "sample": sorted(unique)[:20],
    }
