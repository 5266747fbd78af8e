"""Article identity: canonical URLs, and the plan of which URLs to fetch."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit, urlunsplit

from courlan import normalize_url

from tasks.records import Candidate


def strip_credentials(url: str) -> str:
    """Return the URL without the `user:password@` part of its authority, if it has one.

    A link may carry credentials (`http://user:pass@host/`): they must neither be sent (httpx
    would turn them into an Authorization header) nor stored. Anything else is left as it is.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def canonical_url(url: str) -> str | None:
    """Return the URL normalised (credentials, tracking parameters and fragment dropped), or
    None if unusable."""
    url = strip_credentials(url.strip())
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
