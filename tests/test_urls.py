"""Tests of tasks/urls.py: canonical URLs (cases in tests/fixtures/urls.toml), dedup and batches."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from tasks.records import Candidate
from tasks.urls import batches, canonical_url, unique_candidates

with (Path(__file__).parent / "fixtures" / "urls.toml").open("rb") as _handle:
    CASES = tomllib.load(_handle)["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_canonical_url(case: dict) -> None:
    assert canonical_url(case["url"]) == case.get("canonical")


@pytest.mark.parametrize("case", [c for c in CASES if "canonical" in c], ids=lambda c: c["why"])
def test_canonical_url_is_idempotent(case: dict) -> None:
    assert canonical_url(case["canonical"]) == case["canonical"]


def test_cases_cover_both_outcomes() -> None:
    assert sum("canonical" in c for c in CASES) >= 10
    assert sum("canonical" not in c for c in CASES) >= 5


def candidate(url: str, title: str | None = None) -> Candidate:
    canonical = canonical_url(url)
    assert canonical is not None
    return Candidate(
        canonical_url=canonical,
        url=url,
        origin="monitor",
        source="Feed",
        title=title,
        published_at=datetime(2026, 11, 1),
    )


def test_unique_candidates_keeps_first_sighting() -> None:
    plain = candidate("https://example.com/a.html", "first")
    tracked = candidate("https://example.com/a.html?utm_source=rss#comments", "second")
    other = candidate("https://example.com/b.html", "other")
    again = candidate("https://EXAMPLE.com/b.html", "other again")
    assert plain.canonical_url == tracked.canonical_url
    result = unique_candidates([plain, other, tracked, again])
    assert result == [plain, other]
    assert [c.title for c in result] == ["first", "other"]


def test_unique_candidates_keeps_order_and_empty() -> None:
    items = [candidate(f"https://example.com/{i}.html") for i in (3, 1, 2)]
    assert unique_candidates(items) == items
    assert unique_candidates([]) == []


@pytest.mark.parametrize(
    ("count", "size", "sizes"),
    [(0, 3, []), (1, 3, [1]), (3, 3, [3]), (7, 3, [3, 3, 1]), (6, 2, [2, 2, 2]), (5, 10, [5])],
)
def test_batches(count: int, size: int, sizes: list[int]) -> None:
    items = [candidate(f"https://example.com/{i}.html") for i in range(count)]
    cut = batches(items, size)
    assert [len(b) for b in cut] == sizes
    assert [c for b in cut for c in b] == items  # consecutive, nothing lost or repeated
