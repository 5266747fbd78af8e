"""Article identity: canonical URLs, and the plan of which URLs to fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag

from courlan import normalize_url


@dataclass(frozen=True)
class Candidate:
    """A URL to fetch, with what its feed entry (or other source) said about it."""

    canonical_url: str
    url: str
    origin: str
    source: str | None = None
    title: str | None = None
    published_at: datetime | None = None  # the publication date the listing gives, if any
    date_source: str = "feed"  # what published_at comes from: feed | listing
    seen_at: datetime | None = None  # when the listing saw it (GDELT seendate, sitemap lastmod)


def canonical_url(url: str) -> str | None:
    """Return the URL normalised (tracking parameters and fragment dropped), or None if unusable."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        normalised = normalize_url(url, strict=False)
    except ValueError:
        return None
    return urldefrag(normalised).url or None


def unique_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Return the candidates with repeated canonical URLs dropped, first sighting kept."""
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        if candidate.canonical_url not in seen:
            seen.add(candidate.canonical_url)
            unique.append(candidate)
    return unique


def batches(candidates: list[Candidate], size: int) -> list[list[Candidate]]:
    """Return the candidates cut into consecutive batches of at most `size`."""
    return [candidates[i : i + size] for i in range(0, len(candidates), size)]
