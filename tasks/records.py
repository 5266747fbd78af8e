"""The data contract: the records the stages hand on, the values their fields may take, UTC time.

Every record is frozen and keyword-only (`Candidate(url=…, published_at=…)`: two dates of the same
type cannot be swapped silently). Each `Literal` below is a vocabulary: the values a text column of
the warehouse may hold. DuckLake has no CHECK constraints, so the same lists live in the
`vocabularies` table (migration 002) and the `vocabulary_violations` view lists any stored value
outside them; tests/test_contract.py keeps the two sides equal. Nothing here imports Prefect,
DuckDB or Arrow: any module may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from rensa import RMinHash

    from config.settings import Feed
    from tasks.event_signals import EventSignals

# ---- vocabularies: column -> allowed values ----
Origin = Literal["seed", "monitor", "backfill"]
DateSource = Literal["page", "feed", "listing", "sighting", "seed", "none"]
ListingDate = Literal["feed", "listing"]  # what a candidate's published_at comes from
FeedStatus = Literal["ok", "not_modified", "unchanged", "failed"]
RunFlow = Literal["monitor", "backfill", "replay"]
RunStatus = Literal["running", "completed", "completed_partial", "failed", "crashed"]
FailureStage = Literal["fetch", "extract"]
DupMethod = Literal["text_hash", "minhash", "containment", "title"]
BackfillSource = Literal["feeds", "sitemaps", "gdelt", "urls"]
UndatedPolicy = Literal["drop", "sighting"]
JobStatus = Literal["discovering", "discovered", "completed"]
EventMethod = Literal["new", "joined", "copy"]  # opened an event, joined one, a copy's original's
QueueStatus = Literal[
    "pending", "stored", "duplicate", "irrelevant", "known", "out_of_window", "undated", "failed"
]

# Which column of which table each vocabulary governs (the `vocabularies` table's keys).
VOCABULARIES: dict[str, object] = {
    "articles.origin": Origin,
    "articles.date_source": DateSource,
    "articles.dup_method": DupMethod,
    "page_failures.origin": Origin,
    "page_failures.stage": FailureStage,
    "page_failures.date_source": DateSource,
    "feeds.last_status": FeedStatus,
    "runs.flow": RunFlow,
    "runs.status": RunStatus,
    "backfill_jobs.source": BackfillSource,
    "backfill_jobs.undated": UndatedPolicy,
    "backfill_jobs.status": JobStatus,
    "backfill_queue.date_source": ListingDate,
    "backfill_queue.status": QueueStatus,
    "article_events.method": EventMethod,
}


def values(vocabulary: object) -> tuple[str, ...]:
    """Return the values a vocabulary allows."""
    return get_args(vocabulary)


# ---- time: the warehouse stores naive UTC ----


def utcnow() -> datetime:
    """Return the current time as naive UTC (what the warehouse stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(value: datetime) -> datetime:
    """Return `value` as naive UTC: an aware time converted, a naive one taken as UTC already.

    Every parser of a date from outside (feeds, pages, sitemaps, GDELT, URL files) ends here, so
    `2023-03-31T23:30-05:00` is 1 April in the warehouse wherever it came from.
    """
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def parse_iso(value: str | None) -> datetime | None:
    """Return an ISO 8601 / W3C date or time (`2023-03-05`, `…T10:00:00Z`, `…-05:00`) as naive
    UTC, or None when it is empty or not such a date."""
    if not value or not value.strip():
        return None
    try:
        return to_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


# ---- records ----


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A URL to fetch, with what its feed entry (or other listing) said about it."""

    canonical_url: str
    url: str
    origin: Origin
    source: str | None = None
    title: str | None = None
    published_at: datetime | None = None  # the publication date the listing gives, if any
    date_source: ListingDate = "feed"  # what published_at comes from
    seen_at: datetime | None = None  # when the listing saw it (GDELT seendate, sitemap lastmod)


@dataclass(frozen=True, kw_only=True)
class Page:
    """A fetched HTML page."""

    candidate: Candidate
    final_url: str
    html: bytes = field(repr=False)
    fetched_at: datetime


@dataclass(frozen=True, kw_only=True)
class Failure:
    """A URL that gave no article this time, and why."""

    candidate: Candidate
    stage: FailureStage
    reason: str
    http_status: int | None = None
    transient: bool = False
    retry_after: float | None = None  # seconds the server asked us to wait
    # A page with too little text is dated all the same (both None when nothing dates it)
    published_at: datetime | None = None
    date_source: DateSource | None = None


@dataclass(frozen=True, kw_only=True)
class Article:
    """An extracted article, dated from the page or else from its listing."""

    candidate: Candidate
    url: str
    fetched_at: datetime
    text: str
    title: str | None
    author: str | None = None
    sitename: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    date_source: DateSource = "none"
    # the fetched page zstd-compressed, as raw_pages stores it (compressed by the pool's worker)
    html_zstd: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class Relevance:
    """The topic verdict, the score it rests on, and the evidence for it."""

    score: float
    threshold: float
    relevant: bool
    china_mentions: int
    russia_mentions: int
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Duplicate:
    """The earlier article a text repeats, how similar they are, and how it was found."""

    of: str
    similarity: float
    method: DupMethod


@dataclass(frozen=True, kw_only=True)
class Fingerprint:
    """What the duplicate layers compare: hashes and signatures of one article."""

    text_hash: str
    minhash: RMinHash
    lead: RMinHash
    shingles: int  # distinct shingles in the whole text
    title_key: str | None
    published: object | None  # a date: the title layer compares days


@dataclass(frozen=True, kw_only=True)
class Assessed:
    """An article with every judgement the warehouse keeps about it."""

    article: Article
    relevance: Relevance
    mentions: dict[str, int]
    fingerprint: Fingerprint
    terms: tuple[str, ...] = ()  # a story's words and phrases, for `emerging_terms`
    duplicate: Duplicate | None = None
    # what the event assignment reads (tasks/event_signals.py): relevant articles only
    signals: EventSignals | None = field(default=None, repr=False)

    @property
    def stored_as_story(self) -> bool:
        """Return True if the article counts in trends: relevant and new."""
        return self.relevance.relevant and self.duplicate is None


@dataclass(frozen=True, kw_only=True)
class FeedState:
    """What the last checks of a feed left: validators for conditional GET, the body hash, and
    its polling (when it is due, its interval, its failures in a row, whether it is paused)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_fetch_at: datetime | None = None
    interval_minutes: float | None = None
    consecutive_failures: int = 0
    items_per_day: float | None = None
    last_checked_at: datetime | None = None
    paused_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class FeedResult:
    """The outcome of checking one feed."""

    feed: Feed
    status: FeedStatus
    entries: list[Candidate] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    http_status: int | None = None
    error: str | None = None
    warning: str | None = None
    # What the feed says of its next check: the wait its ttl, Cache-Control or Expires asks for,
    # and a Retry-After sent with an error (seconds).
    refresh_after: float | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """Return True unless the check failed."""
        return self.status != "failed"
