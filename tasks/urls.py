"""Article identity: canonical URLs, and the plan of which URLs to fetch."""

from __future__ import annotations

from urllib.parse import urldefrag

from courlan import normalize_url

from tasks.records import Candidate


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
