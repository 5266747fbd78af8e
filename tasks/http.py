"""HTTP for feeds and pages: every request bounded (a deadline, a minimum rate, a byte cap on the
decoded body, bounded redirects) and a private-host guard that connects to the address it checked
(tasks/guard.py)."""

from __future__ import annotations

import asyncio
import ssl
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache

import httpcore
import httpx

from config.settings import Fetch
from tasks.guard import GuardError, PinnedBackend, Resolver, is_private_address
from tasks.urls import strip_credentials

__all__ = [
    "FetchError",
    "Fetched",
    "get",
    "is_private_address",
    "make_client",
    "retry_after_seconds",
]

# Statuses worth trying again soon; any other 4xx means "this URL will not work as it is".
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# The minimum transfer rate is judged on a body's average after this many seconds of it.
RATE_GRACE_SECONDS = 5.0


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
    """A response read in full (within the byte cap), its body decoded (Content-Encoding)."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lowercased."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class BoundedClient(httpx.AsyncClient):
    """An httpx client that carries the per-request bounds `get` applies."""

    request_deadline: float | None = None
    min_bytes_per_second: float = 0


@cache
def _ssl_context() -> ssl.SSLContext:
    """Return the TLS context every client shares (verifying against certifi's roots).

    Made once per process: loading the roots costs ~20 ms of CPU, which a client per feed and
    per batch paid each time (20 s a cycle for a monitor of 1,000 feeds). A context is not
    changed once made, and sharing one across threads and event loops is what it is built for.
    """
    return httpx.create_ssl_context()


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose sockets open through the guard."""

    def __init__(self, backend: PinnedBackend, limits: httpx.Limits) -> None:
        # Not super().__init__: that builds a pool without a network backend; the rest of the
        # class only uses self._pool.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def make_client(
    fetch: Fetch,
    resolver: Resolver | None = None,
    connector: httpcore.AsyncNetworkBackend | None = None,
) -> BoundedClient:
    """Return an async client configured from the fetch settings.

    `resolver` (host, port -> addresses) replaces the system resolver and `connector` the
    socket layer; both are for tests. Proxies and .netrc from the environment are not used: a
    proxy would resolve names itself, out of the guard's reach.
    """
    limits = httpx.Limits(max_connections=fetch.concurrency * 2)
    backend = PinnedBackend(fetch.allow_private_hosts, resolver, connector)
    client = BoundedClient(
        timeout=httpx.Timeout(fetch.timeout_seconds),
        follow_redirects=True,
        max_redirects=fetch.max_redirects,
        headers={"User-Agent": fetch.user_agent, "Accept-Encoding": "gzip, deflate"},
        transport=_PinnedTransport(backend, limits),
        trust_env=False,
    )
    client.request_deadline = fetch.request_deadline_seconds
    client.min_bytes_per_second = fetch.min_bytes_per_second
    return client


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


class _Decoder:
    """Content-Encoding undone with a bound on the output: a small gzip body that inflates to
    gigabytes is stopped just past the cap, never inflated whole in memory."""

    PIECE = 1 << 18  # most bytes one inflate call may produce

    def __init__(self, header: str) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        for coding in codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"undecodable body: unsupported content-encoding {coding}")
        self._codings = codings[::-1]  # the last one applied is undone first
        self._inflaters: list = [None] * len(codings)

    def _inflate(self, i: int, data: bytes) -> bytes:
        inflater = self._inflaters[i]
        if inflater is not None:
            return inflater.decompress(data, self.PIECE)
        if self._codings[i] != "deflate":
            self._inflaters[i] = zlib.decompressobj(zlib.MAX_WBITS | 16)
            return self._inflaters[i].decompress(data, self.PIECE)
        try:  # zlib-wrapped as the RFC says, else raw deflate (as browsers accept)
            self._inflaters[i] = zlib.decompressobj(zlib.MAX_WBITS)
            return self._inflaters[i].decompress(data, self.PIECE)
        except zlib.error:
            self._inflaters[i] = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inflaters[i].decompress(data, self.PIECE)

    def _push(self, i: int, data: bytes, budget: int) -> bytes:
        if i == len(self._codings) or not data:
            return data
        out = bytearray()
        while data and len(out) <= budget:
            out += self._push(i + 1, self._inflate(i, data), budget - len(out))
            data = self._inflaters[i].unconsumed_tail
        return bytes(out)

    def decode(self, data: bytes, budget: int) -> bytes:
        """Return the decoded bytes of a chunk; more than `budget` of them means too large."""
        return self._push(0, data, budget)

    def flush(self, budget: int) -> bytes:
        """Return what the decoders still hold at the end of the body."""
        out = bytearray()
        for i, inflater in enumerate(self._inflaters):
            if inflater is not None and len(out) <= budget:
                out += self._push(i + 1, inflater.flush(), budget - len(out))
        return bytes(out)


class _Clock:
    """The request's deadline and the body's minimum rate, as one rescheduled asyncio timeout."""

    def __init__(self, deadline: float | None, min_rate: float) -> None:
        self.loop = asyncio.get_running_loop()
        self.deadline = deadline
        self.min_rate = min_rate
        self.end = self.loop.time() + deadline if deadline else None
        self.scope: asyncio.Timeout | None = None
        self.body_start: float | None = None
        self.stall_at: float | None = None
        self.size = 0

    def body_started(self) -> None:
        self.body_start = self.loop.time()
        self._reschedule()

    def arrived(self, size: int) -> None:
        self.size = size
        self._reschedule()

    def _reschedule(self) -> None:
        if not self.min_rate or self.scope is None or self.body_start is None:
            return
        self.stall_at = self.body_start + max(RATE_GRACE_SECONDS, self.size / self.min_rate)
        self.scope.reschedule(self.stall_at if self.end is None else min(self.end, self.stall_at))

    def expired(self) -> FetchError:
        """Return the failure for the timeout that fired: the deadline, or the rate."""
        now = self.loop.time()
        if self.end is not None and (self.stall_at is None or self.end <= self.stall_at):
            return FetchError(f"deadline: over {self.deadline:g} s", transient=True)
        rate = self.size / max(now - (self.body_start or now), 1e-9)
        return FetchError(f"stalled: {rate:.0f} bytes/s, below {self.min_rate:g}", transient=True)


async def _exchange(client, url: str, max_bytes: int, headers, clock: _Clock) -> Fetched:
    async with client.stream("GET", url, headers=headers) as response:
        final_url = strip_credentials(str(response.url))
        if response.status_code == 304:
            return Fetched(final_url, 304, b"", dict(response.headers))
        if response.status_code >= 400:
            raise FetchError(
                f"HTTP {response.status_code}",
                status=response.status_code,
                transient=response.status_code in TRANSIENT_STATUSES,
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
            )
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"too large: {declared} bytes (limit {max_bytes})")
        if response.is_stream_consumed:  # built in memory (httpx.MockTransport): decoded already
            if len(response.content) > max_bytes:
                raise FetchError(f"too large: over {max_bytes} bytes")
            return Fetched(
                final_url, response.status_code, response.content, dict(response.headers)
            )
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        body = bytearray()
        clock.body_started()
        try:
            async for raw in response.aiter_raw():
                clock.arrived(clock.size + len(raw))
                body += decoder.decode(raw, max_bytes - len(body))
                if len(body) > max_bytes:
                    raise FetchError(f"too large: over {max_bytes} bytes")
            body += decoder.flush(max_bytes - len(body))
        except zlib.error as exc:
            raise FetchError(f"undecodable body: {exc}") from None
        if len(body) > max_bytes:
            raise FetchError(f"too large: over {max_bytes} bytes")
        return Fetched(final_url, response.status_code, bytes(body), dict(response.headers))


async def get(
    client: httpx.AsyncClient,
    url: str,
    max_bytes: int,
    headers: dict[str, str] | None = None,
    *,
    deadline: float | None = None,
    min_bytes_per_second: float | None = None,
) -> Fetched:
    """Return the response to GET `url`; raises FetchError for any failure or error status.

    The whole request (connect, headers, body) must end within `deadline` seconds and a body
    must average `min_bytes_per_second` after its first 5 s; both default to the client's
    (make_client sets them from the settings). Credentials in the URL are dropped, never sent.
    """
    if deadline is None:
        deadline = getattr(client, "request_deadline", None)
    if min_bytes_per_second is None:
        min_bytes_per_second = getattr(client, "min_bytes_per_second", 0)
    clock = _Clock(deadline, min_bytes_per_second or 0)
    try:
        async with asyncio.timeout_at(clock.end) as scope:
            clock.scope = scope
            return await _exchange(client, strip_credentials(url), max_bytes, headers, clock)
    except FetchError:
        raise
    except TimeoutError as exc:
        if clock.scope is not None and clock.scope.expired():
            raise clock.expired() from None
        raise FetchError(f"network error: timeout: {exc}", transient=True) from None
    except GuardError as exc:
        raise FetchError(exc.reason, transient=exc.transient) from None
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
