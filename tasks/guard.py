"""The private-host guard: resolve a name once, check every address, connect to the one checked.

Checking a name and then letting the HTTP library resolve it again to connect leaves a hole (DNS
rebinding: a public address for the check, 127.0.0.1 for the connection). Here the check sits in
the httpcore network backend, where the socket is opened: the name is resolved by a resolver
function (injectable, for tests), each address is judged, and the connection goes to that
address. The request keeps its URL, so its Host header and TLS server name (SNI) stay the original
host's. Every connection is checked, so every redirect hop is too.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore

# A resolver: (host, port) -> the addresses to connect to, as strings; raises socket.gaierror
# (or returns nothing) for a name that does not resolve. May be sync or async.
Resolver = Callable[[str, int], "Awaitable[list[str]] | list[str]"]

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT ::ffff:0:a.b.c.d
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64 prefix
# Never a public destination, whatever the Python version's tables say.
_REFUSED_V6 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "2001::/32",  # Teredo: the client's IPv4 address travels inside
        "fec0::/10",  # site-local (deprecated, private in practice)
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
    )
)
_NUMERIC = frozenset("0123456789abcdefxABCDEFX.")
_ALLOW = " (set fetch.allow_private_hosts = true to allow)"


class GuardError(Exception):
    """A connection refused by the guard, or a name that did not resolve."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _ipv4_private(ip: ipaddress.IPv4Address) -> bool:
    return not ip.is_global or ip.is_multicast


def is_private_address(address: str) -> bool:
    """Return True for loopback, private, link-local, reserved or unspecified IP addresses,
    and for IPv6 forms that carry such an IPv4 address (mapped, compatible, NAT64, 6to4)."""
    ip = ipaddress.ip_address(address.split("%")[0].strip("[]"))
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_private(ip)
    if ip.is_loopback or ip.is_unspecified or any(ip in net for net in _REFUSED_V6):
        return True
    embedded = _embedded_ipv4(ip)
    if embedded is not None and _ipv4_private(embedded):
        return True
    return not ip.is_global or ip.is_multicast


def literal_address(host: str) -> str | None:
    """Return the IP address a host names literally, in any spelling the C resolver accepts
    (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`, `[::1]`), or None for a name."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:
        pass
    if host and set(host) <= _NUMERIC and host[0].isdigit():
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Return the host's addresses from the system resolver (getaddrinfo), first answer first."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def _resolve(resolver: Resolver, host: str, port: int, timeout: float | None) -> list[str]:
    try:
        async with asyncio.timeout(timeout):
            answer = resolver(host, port)
            if inspect.isawaitable(answer):
                answer = await answer
    except TimeoutError:
        raise GuardError(f"dns: timed out resolving {host}", transient=True) from None
    except (socket.gaierror, UnicodeError) as exc:
        if getattr(exc, "errno", None) in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            raise GuardError(f"dns: no address for {host}", transient=True) from None
        raise GuardError(f"dns: {host}: {exc}", transient=True) from None
    if not answer:
        raise GuardError(f"dns: no address for {host}", transient=True)
    return list(answer)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses it has resolved and checked."""

    def __init__(
        self,
        allow_private: bool,
        resolver: Resolver | None = None,
        connector: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self.connector = connector or httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int, timeout: float | None = None) -> list[str]:
        """Return the addresses to connect to for host; raises GuardError if any is refused."""
        name = host.lower().rstrip(".")
        if not self.allow_private and (name == "localhost" or name.endswith(".localhost")):
            raise GuardError(f"refused: {host} is a private or loopback address (by name){_ALLOW}")
        literal = literal_address(host)
        found = [literal] if literal else await _resolve(self.resolver, host, port, timeout)
        if not self.allow_private:
            for address in found:
                try:
                    private = is_private_address(address)
                except ValueError:
                    raise GuardError(f"refused: {host} resolved to {address!r}") from None
                if private:
                    shown = host if host.strip("[]") == address else f"{host} ({address})"
                    raise GuardError(f"refused: {shown} is a private or loopback address{_ALLOW}")
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Return a stream to the first checked address of host that accepts the connection."""
        failure: Exception | None = None
        for address in await self.addresses(host, port, timeout):
            try:
                return await self.connector.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next address, if any
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, *args, **kwargs) -> httpcore.AsyncNetworkStream:
        """Refuse: a fetch goes over TCP only."""
        raise GuardError("refused: unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Sleep, as the connector does."""
        await self.connector.sleep(seconds)
