"""Where a judged batch goes: the commit a flow chooses, as data, and how it is counted.

`Store` (the monitor): new articles inserted, duplicates decided at commit. `Queued` (a backfill):
the same, after the window's rules, with each URL's queue status in the same snapshot. `Rewrite`
(a replay): the judgements of stored articles rewritten in place. The stage order that feeds them
is tasks/pipeline.py's; each sink only says what its commit writes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from config.settings import Settings
from tasks.backfill.queue import load_backfill_batch
from tasks.backfill.window import Job, place_in_window
from tasks.load import Loaded, load_batch, rewrite_batch
from tasks.pipeline import Batch, Rejected
from tasks.records import Article, Assessed
from tasks.summary import RunSummary
from warehouse import Lake


@dataclass(frozen=True)
class Store:
    """New articles inserted (and failed pages recorded), in one snapshot a batch."""

    lake: Lake
    run_id: str | None

    def admit(self, articles: list[Article]) -> tuple[list[Article], Rejected]:
        """Return every article: all are judged."""
        return articles, {}

    def commit(self, batch: Batch, settings: Settings) -> Loaded:
        """Return what inserting the batch did."""
        fetch = settings.fetch
        return load_batch(
            self.lake,
            batch.judged,
            batch.failures,
            self.run_id,
            fetch.retry_failed_after_hours,
            settings.dedup,
            fetch.keep_raw_html,
            fetch.dns_failures_before_lasting,
            settings.events,
        )

    def count(self, summary: RunSummary, batch: Batch, loaded: Loaded) -> None:
        """Count the batch: pages read, failures, what landed."""
        summary.add_batch(batch.read, batch.failures, loaded)


@dataclass(frozen=True)
class Queued(Store):
    """A backfill's batch: only articles of the job's window are judged, and every URL's queue
    status lands with the articles (only those `worker` still holds, when pooled)."""

    job: Job
    worker: str | None = None

    def admit(self, articles: list[Article]) -> tuple[list[Article], Rejected]:
        """Return the articles that belong to the window, and why the others do not."""
        return place_in_window(articles, self.job)

    def commit(self, batch: Batch, settings: Settings) -> Loaded:
        """Return what inserting the batch and recording its queue statuses did."""
        return load_backfill_batch(
            self.lake,
            self.job,
            batch.judged,
            batch.rejected,
            batch.failures,
            self.run_id,
            settings.fetch,
            settings.dedup,
            self.worker,
            settings.events,
        )


@dataclass
class Replayed:
    """What a replay changed, counted over its batches."""

    mode: str
    since: str | None = None
    until: str | None = None
    articles: int = 0
    failed: int = 0
    relevant: int = 0
    now_relevant: int = 0
    no_longer_relevant: int = 0
    keyword_mentions: int = 0
    events: int = 0  # relevant articles re-assigned to events by their signals (copies apart)

    def add(self, judged: list[Assessed], was_relevant: dict[str, bool], failed: int) -> None:
        """Count one replayed batch."""
        self.failed += failed
        for item in judged:
            before = was_relevant.get(item.article.candidate.canonical_url, False)
            now = item.relevance.relevant
            self.articles += 1
            self.relevant += now
            self.now_relevant += now and not before
            self.no_longer_relevant += before and not now
            self.keyword_mentions += len(item.mentions)

    def as_dict(self) -> dict:
        """Return the counts as plain data."""
        return asdict(self)


@dataclass(frozen=True)
class Rewrite:
    """Stored articles judged again: their judgements, mentions, terms and index keys rewritten
    (who was a duplicate of whom stays), what changed counted in `replayed`."""

    lake: Lake
    run_id: str | None
    replayed: Replayed

    def admit(self, articles: list[Article]) -> tuple[list[Article], Rejected]:
        """Return every article: all are judged again."""
        return articles, {}

    def commit(self, batch: Batch, settings: Settings) -> Loaded:
        """Return what rewriting the batch did (pages that gave no text now are only counted)."""
        done = rewrite_batch(self.lake, batch.judged, settings.dedup, self.run_id)
        return Loaded(inserted=done, assessed=batch.judged)

    def count(self, summary: RunSummary, batch: Batch, loaded: Loaded) -> None:
        """Count the batch: articles judged again, and what changed."""
        summary.add_replay(loaded.assessed, batch.failures)
        self.replayed.add(loaded.assessed, batch.was_relevant, len(batch.failures))
