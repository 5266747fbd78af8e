"""The private-host guard (tasks/guard.py), credentials in links, and the request bounds of
tasks/http.get.

The guard's tests run against a fake network: a resolver the test controls, and a connector that
routes one "public" address (93.184.216.34) to the local hostile server and refuses to dial
anything else, recording every address it was asked for. A bypass would show there, or as a
request in the local server's log.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpcore
import httpx
import pytest

import tasks.http
from config import Settings
from tasks.fetch import fetch_pages
from tasks.guard import is_private_address, literal_address
from tasks.http import FetchError, get, make_client
from tasks.records import Candidate, Failure, Page
from tasks.urls import canonical_url, strip_credentials
from tests.hostile_server import CA_FILE, HostileServer

PUBLIC = "93.184.216.34"  # a global address: the fake network delivers it to the local server


class _Recorder(httpcore.AsyncNetworkStream):
    """A stream that records the TLS server name asked for, and has no TLS to offer."""

    def __init__(self, stream: httpcore.AsyncNetworkStream, net: FakeNet) -> None:
        self.stream, self.net = stream, net

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.stream.aclose()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        self.net.server_names.append(server_hostname)
        if not self.net.tls:
            raise httpcore.ConnectError("no TLS on the fake network")
        return await self.stream.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str):
        return self.stream.get_extra_info(info)


class FakeNet(httpcore.AsyncNetworkBackend):
    """The test's Internet: PUBLIC goes to the local server; any other address is not dialled."""

    def __init__(self, port: int, tls: bool = False) -> None:
        self.port, self.tls = port, tls
        self.dialled: list[str] = []
        self.server_names: list[str | None] = []
        self.real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.dialled.append(host)
        if host != PUBLIC:
            raise httpcore.ConnectError(f"the fake network does not route {host}")
        stream = await self.real.connect_tcp("127.0.0.1", self.port, timeout=timeout)
        return _Recorder(stream, self)

    async def sleep(self, seconds: float) -> None:
        await self.real.sleep(seconds)


class Resolver:
    """Answers from a table, one answer per call in turn (the last one repeats); counts calls."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        n = sum(h == host for h in self.calls)
        self.calls.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = self.table[host]
        return answers[min(n, len(answers) - 1)]


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def guarded(settings: Settings):
    """Fetch settings with the guard on and tight bounds."""
    return settings.fetch.model_copy(
        update={
            "allow_private_hosts": False,
            "timeout_seconds": 1.0,
            "request_deadline_seconds": 3.0,
            "per_host_delay_seconds": 0.0,
        }
    )


def candidate(url: str) -> Candidate:
    return Candidate(canonical_url=canonical_url(url) or url, url=url, origin="monitor")


def fetch_one(url: str, fetch, resolver=None, net=None) -> Page | Failure:
    pages, failures = fetch_pages([candidate(url)], fetch, resolver, net)
    return (pages + failures)[0]


# ---- which addresses are private ----


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",  # site-local
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:7f00:1",  # the same, in hex
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::a9fe:a9fe",
        "[::127.0.0.1]",
        "::ffff:0:127.0.0.1",  # IPv4-translated (SIIT)
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::10.0.0.1",
        "64:ff9b:1::8.8.8.8",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2001::1",  # Teredo
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "ff02::1",
    ],
)
def test_private_addresses(address: str) -> None:
    assert is_private_address(address) is True


@pytest.mark.parametrize(
    "address", ["8.8.8.8", PUBLIC, "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses(address: str) -> None:
    assert is_private_address(address) is False


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),  # decimal
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("0x7f.0.0.1", "127.0.0.1"),  # hex
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # short
        ("0", "0.0.0.0"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:7f00:1"),
        ("example.com", None),
        ("1e100.net", None),
        ("cafe.be", None),
        ("123.abc", None),
    ],
)
def test_literal_addresses_in_every_spelling(host: str, address: str | None) -> None:
    """Numeric hosts are read as the C resolver reads them, whatever resolver is in use."""
    assert literal_address(host) == address


# ---- refused before any connection ----

REFUSED_URLS = [
    "http://127.0.0.1:{port}/ok",
    "http://localhost:{port}/ok",
    "http://LOCALHOST.:{port}/ok",
    "http://2130706433:{port}/ok",
    "http://0x7f.0.0.1:{port}/ok",
    "http://0x7f000001:{port}/ok",
    "http://127.1:{port}/ok",
    "http://0:{port}/ok",
    "http://[::1]:{port}/ok",
    "http://[::ffff:127.0.0.1]:{port}/ok",
    "http://[::ffff:7f00:1]:{port}/ok",
    "http://[::127.0.0.1]:{port}/ok",
    "http://[64:ff9b::7f00:1]:{port}/ok",
    "http://[2002:7f00:1::1]:{port}/ok",
    "http://user:pass@127.0.0.1:{port}/ok",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/latest/meta-data/",
    "http://2852039166/latest/meta-data/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/",
    "http://[::]/",
]


@pytest.mark.parametrize("template", REFUSED_URLS)
def test_private_hosts_are_refused_in_every_spelling(
    template: str, hostile: HostileServer, guarded
) -> None:
    net = FakeNet(hostile.port)
    hostile.clear()
    started = time.monotonic()
    # The system resolver: `localhost` as the machine resolves it.
    outcome = fetch_one(template.format(port=hostile.port), guarded, net=net)
    assert time.monotonic() - started < 2
    assert isinstance(outcome, Failure)
    assert outcome.reason.startswith("refused:"), outcome.reason
    assert "private" in outcome.reason and outcome.transient is False
    assert net.dialled == [] and hostile.log == []


@pytest.mark.parametrize("host", ["0177.0.0.1", "0251.0376.0251.0376"])
def test_octal_dotted_quads_are_bad_urls(host: str, hostile: HostileServer, guarded) -> None:
    """httpx itself rejects a dotted quad that is not decimal: never fetched."""
    net = FakeNet(hostile.port)
    hostile.clear()
    outcome = fetch_one(f"http://{host}:{hostile.port}/ok", guarded, net=net)
    assert isinstance(outcome, Failure) and outcome.reason.startswith("bad URL")
    assert net.dialled == [] and hostile.log == []


def test_private_hosts_allowed_when_configured(hostile: HostileServer, guarded) -> None:
    allowed = guarded.model_copy(update={"allow_private_hosts": True})
    assert isinstance(fetch_one(f"http://localhost:{hostile.port}/ok", allowed), Page)
    assert isinstance(fetch_one(f"http://2130706433:{hostile.port}/ok", allowed), Page)


# ---- DNS rebinding: the address checked is the address connected to ----


def test_rebinding_connects_to_the_checked_address(hostile: HostileServer, guarded) -> None:
    """Public for the first answer, 127.0.0.1 after: one resolution, one connection, to it."""
    net = FakeNet(hostile.port)
    resolver = Resolver({"rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    hostile.clear()
    page = fetch_one(f"http://rebind.test:{hostile.port}/ok", guarded, resolver, net)
    assert isinstance(page, Page), page
    assert resolver.calls == ["rebind.test"]  # resolved once: no second lookup to connect
    assert net.dialled == [PUBLIC]
    assert [headers["host"] for _, headers in hostile.log] == [f"rebind.test:{hostile.port}"]


def test_rebinding_on_the_next_connection_is_refused(hostile: HostileServer, guarded) -> None:
    """Each new connection resolves and checks again: the second, now 127.0.0.1, is refused."""
    net = FakeNet(hostile.port)
    resolver = Resolver({"rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    fetch = guarded.model_copy(update={"per_host_concurrency": 1})
    urls = [f"http://rebind.test:{hostile.port}/ok?n={n}" for n in (1, 2)]
    pages, failures = fetch_pages([candidate(u) for u in urls], fetch, resolver, net)
    assert [p.candidate.url for p in pages] == urls[:1]
    assert "refused" in failures[0].reason and "127.0.0.1" in failures[0].reason
    assert net.dialled == [PUBLIC]


def test_a_mixed_answer_is_refused(hostile: HostileServer, guarded) -> None:
    net = FakeNet(hostile.port)
    resolver = Resolver({"mixed.test": [[PUBLIC, "127.0.0.1"]]})
    outcome = fetch_one(f"http://mixed.test:{hostile.port}/ok", guarded, resolver, net)
    assert isinstance(outcome, Failure) and outcome.reason.startswith("refused:")
    assert net.dialled == []


# ---- every redirect hop is checked ----

REDIRECT_TARGETS = [
    "http://127.0.0.1:{port}/ok",
    "http://localhost:{port}/ok",
    "http://2130706433:{port}/ok",
    "http://[::ffff:127.0.0.1]:{port}/ok",
    "http://[::127.0.0.1]:{port}/ok",
    "http://169.254.169.254/latest/meta-data/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://private.test:{port}/ok",
]


@pytest.mark.parametrize("template", REDIRECT_TARGETS)
def test_redirects_to_private_hosts_are_refused(
    template: str, hostile: HostileServer, guarded
) -> None:
    net = FakeNet(hostile.port)
    resolver = Resolver(
        {"public.test": [[PUBLIC]], "localhost": [["127.0.0.1"]], "private.test": [["10.0.0.5"]]}
    )
    target = template.format(port=hostile.port)
    hostile.clear()
    url = str(httpx.URL(f"http://public.test:{hostile.port}/redirect", params={"to": target}))
    outcome = fetch_one(url, guarded, resolver, net)
    assert isinstance(outcome, Failure), outcome
    assert outcome.reason.startswith("refused:") and "private" in outcome.reason
    assert net.dialled == [PUBLIC]
    assert [path.split("?")[0] for path, _ in hostile.log] == ["/redirect"]


def test_a_redirect_to_a_public_host_is_followed(hostile: HostileServer, guarded) -> None:
    net = FakeNet(hostile.port)
    resolver = Resolver({"public.test": [[PUBLIC]], "other.test": [[PUBLIC]]})
    target = f"http://other.test:{hostile.port}/ok"
    url = str(httpx.URL(f"http://public.test:{hostile.port}/redirect", params={"to": target}))
    page = fetch_one(url, guarded, resolver, net)
    assert isinstance(page, Page) and page.final_url == target


# ---- TLS: the server name is the original host's ----


def test_tls_server_name_is_the_host_not_the_address(hostile: HostileServer, guarded) -> None:
    net = FakeNet(hostile.port)
    resolver = Resolver({"secure.test": [[PUBLIC]]})
    outcome = fetch_one("https://secure.test/ok", guarded, resolver, net)
    assert isinstance(outcome, Failure) and outcome.reason.startswith("network error")
    assert net.dialled == [PUBLIC]
    assert net.server_names == ["secure.test"]


@pytest.fixture(scope="module")
def tls_server() -> Iterator[HostileServer]:
    with HostileServer(tls=True) as server:
        yield server


@pytest.fixture
def trust_test_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the clients trust the test CA (and only it)."""
    context = ssl.create_default_context(cafile=str(CA_FILE))
    monkeypatch.setattr(tasks.http, "_ssl_context", lambda: context)


def test_tls_to_the_pinned_address_verifies_the_host_name(
    tls_server: HostileServer, guarded, trust_test_ca
) -> None:
    """Real TLS through the pinned address: SNI and certificate checks are for the name."""
    net = FakeNet(tls_server.port, tls=True)
    resolver = Resolver({"secure.test": [[PUBLIC]]})
    page = fetch_one(f"https://secure.test:{tls_server.port}/ok", guarded, resolver, net)
    assert isinstance(page, Page), page
    assert net.dialled == [PUBLIC] and net.server_names == ["secure.test"]
    assert [h["host"] for _, h in tls_server.log] == [f"secure.test:{tls_server.port}"]


def test_tls_certificate_for_another_name_is_refused(
    tls_server: HostileServer, guarded, trust_test_ca
) -> None:
    """The same server and address under another name: its certificate does not match."""
    net = FakeNet(tls_server.port, tls=True)
    resolver = Resolver({"other.test": [[PUBLIC]]})
    outcome = fetch_one(f"https://other.test:{tls_server.port}/ok", guarded, resolver, net)
    assert isinstance(outcome, Failure) and "CERTIFICATE_VERIFY_FAILED" in outcome.reason
    assert net.server_names == ["other.test"]


# ---- names that do not resolve ----


def test_a_name_that_does_not_resolve(hostile: HostileServer, guarded) -> None:
    outcome = fetch_one("http://nosuch.invalid/a.html", guarded, Resolver({}))
    assert isinstance(outcome, Failure)
    assert outcome.reason == "dns: no address for nosuch.invalid"
    assert outcome.transient is True


def test_an_empty_answer_and_the_system_resolver(guarded) -> None:
    outcome = fetch_one("http://empty.test/a", guarded, Resolver({"empty.test": [[]]}))
    assert outcome.reason == "dns: no address for empty.test" and outcome.transient
    started = time.monotonic()
    outcome = fetch_one("http://nosuch.invalid/a", guarded)  # the machine's own resolver
    assert outcome.reason.startswith("dns:") and outcome.transient
    assert time.monotonic() - started < 5


def test_a_resolver_that_hangs_is_cut_off(guarded) -> None:
    async def hanging(host: str, port: int) -> list[str]:
        await asyncio.sleep(30)
        return [PUBLIC]

    started = time.monotonic()
    outcome = fetch_one("http://slow-dns.test/a", guarded, hanging)
    assert outcome.reason == "dns: timed out resolving slow-dns.test" and outcome.transient
    assert time.monotonic() - started < 2.5


def test_a_sync_resolver_is_accepted(hostile: HostileServer, guarded) -> None:
    def resolver(host: str, port: int) -> list[str]:
        return [PUBLIC]

    page = fetch_one(
        f"http://sync.test:{hostile.port}/ok", guarded, resolver, FakeNet(hostile.port)
    )
    assert isinstance(page, Page)


# ---- credentials in links ----


@pytest.mark.parametrize(
    ("url", "stripped"),
    [
        ("http://user:pass@example.com/a", "http://example.com/a"),
        ("https://user@Example.com:8443/a?b=1#c", "https://Example.com:8443/a?b=1#c"),
        ("http://a@b@example.com/", "http://example.com/"),
        ("http://user:p%40ss@example.com/", "http://example.com/"),
        ("http://@example.com/", "http://example.com/"),
        ("http://example.com/a@b", "http://example.com/a@b"),
        ("http://example.com/?to=x@y", "http://example.com/?to=x@y"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
        ("not a url", "not a url"),
    ],
)
def test_strip_credentials(url: str, stripped: str) -> None:
    assert strip_credentials(url) == stripped


def test_canonical_url_carries_no_credentials() -> None:
    assert canonical_url("http://user:pass@Example.com/a?utm_source=x") == "http://example.com/a"
    assert canonical_url("https://token@example.com/a") == "https://example.com/a"


def test_credentials_are_never_sent_nor_kept(hostile: HostileServer, guarded) -> None:
    net = FakeNet(hostile.port)
    resolver = Resolver({"public.test": [[PUBLIC]]})
    hostile.clear()
    secret = f"http://user:secret@public.test:{hostile.port}"
    url = str(httpx.URL(f"{secret}/redirect", params={"to": f"{secret}/ok"}))
    page = fetch_one(url, guarded, resolver, net)
    assert isinstance(page, Page), page
    assert urlsplit(page.candidate.url).netloc == f"public.test:{hostile.port}"
    assert page.final_url == f"http://public.test:{hostile.port}/ok"
    assert len(hostile.log) == 2
    assert all("authorization" not in headers for _, headers in hostile.log)


# ---- the deadline and the minimum rate, on tasks.http.get itself ----


def _dripping(pause: float, pieces: int = 1000):
    async def body():
        for _ in range(pieces):
            yield b"x" * 64
            await asyncio.sleep(pause)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=body())

    return handler


def _get(handler, **bounds) -> tuple[FetchError | httpx.Response, float]:
    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await get(client, "http://news.example.com/a", 10_000_000, **bounds)

    started = time.monotonic()
    try:
        result = asyncio.run(go())
    except FetchError as exc:
        result = exc
    return result, time.monotonic() - started


def test_the_deadline_bounds_the_whole_request() -> None:
    error, elapsed = _get(_dripping(0.05), deadline=1.0, min_bytes_per_second=0)
    assert isinstance(error, FetchError)
    assert error.reason == "deadline: over 1 s" and error.transient is True
    assert 0.9 < elapsed < 2


def test_a_stalled_body_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.http, "RATE_GRACE_SECONDS", 0.5)
    error, elapsed = _get(_dripping(0.1), deadline=30.0, min_bytes_per_second=1024)
    assert isinstance(error, FetchError) and error.transient is True
    assert error.reason.startswith("stalled: ") and error.reason.endswith(" bytes/s, below 1024")
    assert 400 <= int(error.reason.split()[1]) <= 800  # 64 bytes every 0.1 s
    assert elapsed < 1.5


def test_a_fast_body_is_not_stalled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.http, "RATE_GRACE_SECONDS", 0.2)
    fetched, _ = _get(_dripping(0.01, pieces=60), deadline=30.0, min_bytes_per_second=1024)
    assert not isinstance(fetched, FetchError) and len(fetched.body) == 60 * 64


def test_make_client_carries_the_bounds(settings: Settings) -> None:
    client = make_client(settings.fetch)
    assert client.request_deadline == settings.fetch.request_deadline_seconds
    assert client.min_bytes_per_second == settings.fetch.min_bytes_per_second
    asyncio.run(client.aclose())
