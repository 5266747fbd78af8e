"""What a run did: the counts a dashboard wants and the details a person reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from tasks.load import Loaded
from tasks.records import Failure, FeedResult

# Summary fields that are not columns of `runs`.
DETAILS = {
    "flow",
    "backfill",
    "replay",
    "snapshots",
    "already_stored",
    "feeds_waiting",
    "batches_committed",
}


@dataclass
class RunSummary:
    """What one run did: counts for dashboards, and the details a person reads."""

    run_id: str
    flow: str
    status: str = "running"
    feeds_ok: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    new_urls: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    extracted: int = 0
    relevant: int = 0
    irrelevant: int = 0
    duplicates: int = 0
    stored: int = 0
    already_stored: int = 0  # fetched, but stored meanwhile by another run
    feeds_due: int = 0  # feeds whose time had come (the others wait, or are paused)
    feeds_waiting: int = 0
    left_urls: int = 0  # URLs left for the next runs (the deadline, or max_new_per_feed)
    snapshot: int | None = None  # the last snapshot this run's batches committed
    snapshots: list[int] = field(default_factory=list)  # every snapshot this run committed
    error: str | None = None
    batches_committed: int = 0
    failed_batches: list[dict] = field(default_factory=list)  # URLs and why: left for next time
    failed_feeds: list[dict] = field(default_factory=list)
    failed_pages: list[dict] = field(default_factory=list)
    duplicate_pages: list[dict] = field(default_factory=list)
    irrelevant_pages: list[dict] = field(default_factory=list)
    stored_articles: list[dict] = field(default_factory=list)
    backfill: dict | None = None  # the job, its window, policy, queue counts and source notes
    replay: dict | None = None  # the mode, window and what changed
    held_back: dict[str, int] = field(default_factory=dict)  # feed -> new links left for later

    def add_feeds(self, results: list[FeedResult]) -> None:
        """Count the feed checks."""
        for result in results:
            if result.ok:
                self.feeds_ok += 1
                self.entries_seen += len(result.entries)
            else:
                self.feeds_failed += 1
                self.failed_feeds.append(
                    {"name": result.feed.name, "url": result.feed.url, "error": result.error}
                )

    def add_batch(self, fetched: int, failures: list[Failure], loaded: Loaded) -> None:
        """Count one committed batch."""
        self.batches_committed += 1
        assessed = loaded.assessed
        if loaded.snapshot is not None:
            self.snapshot = loaded.snapshot
            self.snapshots.append(loaded.snapshot)
        self.already_stored += len(loaded.already_stored)
        self.pages_fetched += fetched
        self.pages_failed += len(failures)
        self.extracted += len(assessed)
        for failure in failures:
            self.failed_pages.append(
                {"url": failure.candidate.url, "stage": failure.stage, "reason": failure.reason}
            )
        for item in assessed:
            url = item.article.candidate.canonical_url
            if item.duplicate is not None:
                self.duplicates += 1
                self.duplicate_pages.append(
                    {
                        "url": url,
                        "duplicate_of": item.duplicate.of,
                        "similarity": item.duplicate.similarity,
                        "method": item.duplicate.method,
                    }
                )
            if item.relevance.relevant:
                self.relevant += 1
            else:
                self.irrelevant += 1
                self.irrelevant_pages.append(
                    {"url": url, "title": item.article.title, "score": item.relevance.score}
                )
            if item.stored_as_story:
                self.stored += 1
                published = item.article.published_at
                self.stored_articles.append(
                    {
                        "url": url,
                        "title": item.article.title,
                        "published": published.date().isoformat() if published else None,
                    }
                )

    def add_replay(self, judged: list, failures: list[Failure]) -> None:
        """Count one replayed page: articles judged again, and pages that gave no text now."""
        self.batches_committed += 1
        self.extracted += len(judged)
        self.pages_failed += len(failures)
        for failure in failures:
            self.failed_pages.append(
                {"url": failure.candidate.url, "stage": failure.stage, "reason": failure.reason}
            )
        for item in judged:
            if item.relevance.relevant:
                self.relevant += 1
            else:
                self.irrelevant += 1

    def add_failed_batch(self, urls: int, error: BaseException) -> None:
        """Count a batch that could not be judged or written (its URLs are left for later)."""
        self.failed_batches.append({"urls": urls, "error": f"{type(error).__name__}: {error}"})

    def conclude(self) -> str:
        """Return the run's final status: failed (an error, or every checked feed failed),
        completed_partial (URLs left for the next run), else completed."""
        if self.error is None and self.feeds_failed and not self.feeds_ok:
            self.error = f"every feed failed ({self.feeds_failed}): none could be read"
        if self.error is None and self.failed_batches and not self.batches_committed:
            first = self.failed_batches[0]["error"]
            self.error = f"no batch could be written ({len(self.failed_batches)} failed): {first}"
        if self.error is not None:
            self.status = "failed"
        elif self.left_urls:
            self.status = "completed_partial"
        else:
            self.status = "completed"
        return self.status

    def as_dict(self) -> dict:
        """Return the summary as plain JSON-ready data."""
        return asdict(self)
