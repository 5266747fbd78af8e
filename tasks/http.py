"""HTTP for feeds and pages: timeouts, a byte cap, bounded redirects and a guard on private hosts."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from config.settings import Fetch

# Statuses worth trying again soon; any other 4xx means "this URL will not work as it is".
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


class FetchError(Exception):
    """A request that gave no usable body, with the reason and whether to try again soon."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.transient = transient
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After)


@dataclass(frozen=True)
class Fetched:
    """A response read in full (within the byte cap)."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lowercased."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def is_private_address(address: str) -> bool:
    """Return True for loopback, private, link-local, reserved or unspecified IP addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])
    return not ip.is_global or ip.is_multicast


async def _resolves_privately(host: str) -> bool:
    try:
        return is_private_address(host)
    except ValueError:
        pass  # a name, not a literal address
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False  # the request itself will fail with a clear DNS error
    return any(is_private_address(info[4][0]) for info in infos)


def _private_host_guard(allow_private: bool):
    async def guard(request: httpx.Request) -> None:
        if not allow_private and await _resolves_privately(request.url.host):
            raise FetchError(
                f"refused: {request.url.host} is a private or loopback address "
                "(set fetch.allow_private_hosts = true to allow)"
            )

    return guard


def make_client(fetch: Fetch) -> httpx.AsyncClient:
    """Return an async client configured from the fetch settings."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(fetch.timeout_seconds),
        follow_redirects=True,
        max_redirects=fetch.max_redirects,
        headers={"User-Agent": fetch.user_agent, "Accept-Encoding": "gzip, deflate"},
        event_hooks={"request": [_private_host_guard(fetch.allow_private_hosts)]},
        limits=httpx.Limits(max_connections=fetch.concurrency * 2),
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Return the delay a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def get(
    client: httpx.AsyncClient,
    url: str,
    max_bytes: int,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """Return the response to GET `url`; raises FetchError for any failure or error status."""
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(str(response.url), 304, b"", dict(response.headers))
            if response.status_code >= 400:
                raise FetchError(
                    f"HTTP {response.status_code}",
                    status=response.status_code,
                    transient=response.status_code in TRANSIENT_STATUSES,
                    retry_after=retry_after_seconds(response.headers.get("retry-after")),
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"too large: {declared} bytes (limit {max_bytes})")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"too large: over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(
                str(response.url), response.status_code, b"".join(chunks), dict(response.headers)
            )
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects") from None
    except httpx.TimeoutException:
        raise FetchError("timeout", transient=True) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"bad URL: {exc}") from None
    except httpx.DecodingError as exc:
        raise FetchError(f"undecodable body: {exc}") from None
    except httpx.TransportError as exc:
        raise FetchError(f"network error: {type(exc).__name__}: {exc}", transient=True) from None
