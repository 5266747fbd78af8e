"""Load config/default.toml, lay a user file over it, and validate the result strictly."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import (
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from config.sources import Feed, Keyword
from config.strict import _Strict
from config.topic import Topic

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG = CONFIG_DIR / "default.toml"
DEMO_CONFIG = CONFIG_DIR / "demo.toml"


def _cron(value: str) -> str:
    try:
        CronSim(value, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise ValueError(f"not a valid cron expression: {value!r} ({exc})") from None
    return value


DAY = 24 * 3600


class ConfigError(ValueError):
    """A config file that cannot be read or holds an unknown key or a wrong value."""


def describe_errors(error: ValidationError, source: str) -> str:
    """Return a validation error as lines a person reads: `key: what is wrong`, one per problem."""
    lines = [f"invalid configuration in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


class Warehouse(_Strict):
    catalog: str = Field(min_length=1)
    data_path: str
    keep_snapshots_days: float = Field(ge=0, le=36500)
    maintenance_cron: str
    commit_limit: StrictBool

    @field_validator("maintenance_cron")
    @classmethod
    def _valid_maintenance_cron(cls, value: str) -> str:
        return _cron(value)

    @model_validator(mode="before")
    @classmethod
    def _moved_path(cls, data: Any) -> Any:
        if isinstance(data, dict) and "path" in data:
            raise ValueError(
                "warehouse.path is gone: the warehouse is a DuckLake now (warehouse.catalog and "
                "warehouse.data_path); copy an old .duckdb file in with `sinorus warehouse import`"
            )
        return data

    @field_validator("catalog")
    @classmethod
    def _known_catalog(cls, value: str) -> str:
        if value.startswith("postgres:"):
            if "=" not in value:
                raise ValueError(
                    f"a postgres catalog needs a conninfo (postgres:dbname=…): {value!r}"
                )
            return value
        if value.split(":", 1)[0] in ("ducklake", "duckdb", "mysql", "http", "https"):
            raise ValueError(f"a catalog is a SQLite file or postgres:<conninfo>, not {value!r}")
        if value.removeprefix("sqlite:").endswith((".duckdb", ".ddb")):
            raise ValueError(
                f"{value} is a DuckDB file, the storage of earlier versions: point the catalog at "
                "a .sqlite file and copy the old one in with `sinorus warehouse import`"
            )
        return value

    @model_validator(mode="after")
    def _postgres_has_data_path(self) -> Warehouse:
        if self.catalog.startswith("postgres:") and not self.data_path:
            raise ValueError("a postgres catalog needs a data_path (shared storage or s3://…)")
        return self


class Schedule(_Strict):
    cron: str
    timezone: str = "UTC"
    interval_seconds: int = Field(ge=0, le=31 * DAY)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return _cron(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {value!r}") from None
        return value


class Fetch(_Strict):
    timeout_seconds: float = Field(gt=0, le=600)
    request_deadline_seconds: float = Field(gt=0, le=3600)
    min_bytes_per_second: int = Field(ge=0, le=100_000_000)
    max_bytes: int = Field(ge=1024, le=1_000_000_000)
    max_redirects: int = Field(ge=0, le=20)
    concurrency: int = Field(ge=1, le=256)
    per_host_concurrency: int = Field(ge=1, le=64)
    per_host_delay_seconds: float = Field(ge=0, le=600)
    max_retry_after_seconds: float = Field(ge=0, le=DAY)
    keep_raw_html: StrictBool
    user_agent: str = Field(min_length=1, max_length=500)
    allow_private_hosts: StrictBool
    retry_failed_after_hours: float = Field(ge=0, le=10 * 366 * 24)
    batch_size: int = Field(ge=1, le=10_000)
    max_new_per_feed: int = Field(ge=1, le=100_000)
    dns_failures_before_lasting: int = Field(ge=1, le=100)
    shared_host_limit: StrictBool


class Run(_Strict):
    max_seconds: float = Field(gt=0, le=7 * DAY)


class Monitor(_Strict):
    shards: int = Field(ge=1, le=256)


class Polling(_Strict):
    min_interval_minutes: float = Field(gt=0, le=7 * 24 * 60)
    max_interval_minutes: float = Field(gt=0, le=30 * 24 * 60)
    max_backoff_hours: float = Field(gt=0, le=30 * 24)

    @model_validator(mode="after")
    def _ordered(self) -> Polling:
        if self.min_interval_minutes > self.max_interval_minutes:
            raise ValueError("min_interval_minutes is more than max_interval_minutes")
        return self


class Retention(_Strict):
    offtopic_html_days: float = Field(ge=0, le=36500)
    offtopic_text_days: float = Field(ge=0, le=36500)


class Trends(_Strict):
    spike_factor: float = Field(gt=1, le=1000)
    spike_min_stories: int = Field(ge=1, le=100_000)
    spike_min_sources: int = Field(ge=1, le=1000)
    spike_min_baseline_days: int = Field(ge=1, le=7)
    emerging_days: int = Field(ge=1, le=90)
    emerging_min_stories: int = Field(ge=1, le=100_000)

    def as_rows(self) -> list[dict]:
        """Return the thresholds as (name, value) rows for the warehouse's `trend_settings`."""
        return [{"name": name, "value": float(value)} for name, value in self]


class Report(_Strict):
    path: str  # "" writes no report

    @field_validator("path")
    @classmethod
    def _html(cls, value: str) -> str:
        if value and not value.endswith((".html", ".htm")):
            raise ValueError(f"the report is an HTML file (.html), not {value!r}")
        return value


class Alerts(_Strict):
    url: str  # an Apprise URL; "" sends nothing
    block: str  # a Prefect notification block's name; "" uses none
    recent_days: int = Field(ge=0, le=366)
    # announce each event once it is reported by at least this many outlets; 0: never
    event_min_outlets: int = Field(default=0, ge=0, le=1000)

    @field_validator("url")
    @classmethod
    def _apprise(cls, value: str) -> str:
        if value and "://" not in value:
            raise ValueError(f"an Apprise URL looks like 'json://host/path', not {value!r}")
        return value


class Extract(_Strict):
    workers: int = Field(ge=0, le=64)  # 0: one per core
    fast: StrictBool
    include_comments: StrictBool
    min_text_chars: int = Field(ge=0, le=100_000)
    # fast mode's text shorter than this gets a second, precise pass (0: never)
    retry_below_chars: int = Field(default=500, ge=0, le=100_000)


class Dedup(_Strict):
    shingle_words: int = Field(ge=1, le=20)
    num_perm: int = Field(ge=16, le=1024)
    bands: int = Field(ge=1, le=1024)
    threshold: float = Field(gt=0, le=1)
    lead_words: int = Field(ge=10, le=10_000)
    containment_threshold: float = Field(gt=0, le=1)
    containment_min_shingles: int = Field(ge=1, le=100_000)
    title_min_words: int = Field(ge=1, le=100)
    title_window_days: int = Field(ge=0, le=366)
    title_min_similarity: float = Field(ge=0, le=1)
    copy_sample: int = Field(ge=1, le=1_000)
    copy_keys: int = Field(ge=1, le=10_000)
    copy_min_words: int = Field(ge=1, le=100_000)
    copy_min_shared: int = Field(ge=1, le=10_000)
    copy_containment: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _bands_divide_perms(self) -> Dedup:
        if self.num_perm % self.bands:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be divisible by bands ({self.bands})"
            )
        return self


class Gdelt(_Strict):
    base_url: str
    query: str = Field(min_length=1)
    max_records: int = Field(ge=1, le=250)
    slice_hours: float = Field(gt=0, le=366 * 24)
    min_slice_minutes: float = Field(gt=0, le=366 * 24 * 60)
    request_interval_seconds: float = Field(ge=0, le=3600)


class Backfill(_Strict):
    undated: Literal["drop", "sighting"]
    max_feed_pages: int = Field(ge=1, le=100_000)
    max_sitemaps: int = Field(ge=1, le=100_000)
    sitemaps: list[str]
    workers: int = Field(ge=1, le=256)
    lease_seconds: float = Field(ge=5, le=DAY)
    gdelt: Gdelt


class Events(_Strict):
    threshold: float = Field(gt=0, le=2)  # a pair's score: cosine + lexical evidence (<= ~1.45)
    window_days: float = Field(gt=0, le=90)


class Settings(_Strict):
    warehouse: Warehouse
    schedule: Schedule
    fetch: Fetch
    run: Run
    monitor: Monitor
    polling: Polling
    retention: Retention
    trends: Trends
    report: Report
    alerts: Alerts
    extract: Extract
    topic: Topic
    dedup: Dedup
    backfill: Backfill
    events: Events
    keywords: list[Keyword]
    feeds: list[Feed]

    @model_validator(mode="after")
    def _unique_feeds(self) -> Settings:
        urls = [feed.canonical for feed in self.feeds]
        repeated = sorted({url for url in urls if urls.count(url) > 1})
        if repeated:
            raise ValueError(f"feeds listed twice: {', '.join(repeated)}")
        return self

    @model_validator(mode="after")
    def _one_tagging_per_name(self) -> Settings:
        # Articles know their feed by name: two feeds of one name must be tagged alike.
        tags: dict[str, tuple] = {}
        for feed in self.feeds:
            tagged = (feed.country, sorted(feed.collections))
            if tags.setdefault(feed.name, tagged) != tagged:
                raise ValueError(
                    f"feeds named {feed.name!r} carry different country or collections"
                )
        return self

    def with_db(self, catalog: Path | str | None) -> Settings:
        """Return these settings with another catalog when one is given (`--db`).

        A SQLite catalog given this way keeps its Parquet files beside it (`x.sqlite` ->
        `x.lake/`), so that two warehouses never share a data path; a postgres one keeps the
        configured data path.
        """
        if catalog is None:
            return self
        catalog = str(catalog)
        data_path = self.warehouse.data_path if catalog.startswith("postgres:") else ""
        try:
            warehouse = Warehouse.model_validate(
                {**self.warehouse.model_dump(), "catalog": catalog, "data_path": data_path}
            )
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, f"--db {catalog}")) from None
        return self.model_copy(update={"warehouse": warehouse})
