"""A local server of hostile behaviours, one route each, with what the monitor must make of it.

`ROUTES` maps each path to its `Expect`: the outcome the fetch (tasks.fetch.fetch_pages) or feed
check (tasks.feeds.read_feed) must give under the tight settings of `TIGHT` (overridden per case
by `Expect.settings`), and the wall time it may take. tests/test_hostile.py runs every row.

Listens on 127.0.0.1 only, on a free port. Every slow route is bounded (a fixed number of steps,
and it stops when the server does), so a test that gives up early leaves no thread behind for long.
"""

from __future__ import annotations

import functools
import gzip
import ssl
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
CA_FILE = FIXTURES / "ca.pem"  # the CA that signed the TLS server's certificate

BIG = 100 * 1024 * 1024  # a 100 MB page
CHUNK = (b"<p>" + b"All work and no play. " * 2978 + b"</p>\n")[:65536]
MAX_BYTES = 1_000_000

# The [fetch] settings every case runs with unless its Expect says otherwise.
TIGHT = {
    "timeout_seconds": 1.0,
    "request_deadline_seconds": 3.0,
    "min_bytes_per_second": 1024,
    "max_bytes": MAX_BYTES,
    "max_redirects": 5,
    "allow_private_hosts": True,  # the server is on 127.0.0.1
    "concurrency": 2,
    "per_host_delay_seconds": 0.0,
    "max_retry_after_seconds": 0.0,
}


@dataclass(frozen=True)
class Expect:
    """What a route must give.

    kind: "page" (fetched with fetch_pages, then extracted) or "feed" (checked with read_feed).
    outcome: for a page, "article" (fetched and extracted, the text holding `text`), "no article"
    (fetched, extraction finds none) or a substring of the failure's reason; for a feed, "ok"
    (with `entries` entries) or a substring of the failure's reason.
    """

    kind: str
    outcome: str
    within: float  # seconds of wall time allowed, generously
    transient: bool | None = None  # for failures: retried next run (True) or later (False)
    big: bool = False  # a body far larger than max_bytes: memory must stay bounded
    settings: dict = field(default_factory=dict)
    text: str | None = None
    entries: int | None = None


ROUTES: dict[str, Expect] = {}
_HANDLERS: dict[str, Callable] = {}


def route(path: str, expect: Expect):
    """Register a handler method for `path`, with its expected outcome beside it."""

    def register(method: Callable) -> Callable:
        ROUTES[path] = expect
        _HANDLERS[path] = method
        return method

    return register


@functools.cache
def _bomb(wbits: int, layers: int = 1) -> bytes:
    """Return BIG zero bytes compressed (gzip: wbits 31, zlib: 15), `layers` times over."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = b"\0" * (1 << 20)
    data = b"".join(packer.compress(zeros) for _ in range(BIG >> 20)) + packer.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data)
    return data


RUSSIAN = (
    "Президент России Владимир Путин и председатель КНР Си Цзиньпин провели переговоры в Москве. "
    "Стороны обсудили газопровод Сила Сибири 2, расчёты в юанях и рублях и совместные учения. "
)
CHINESE = "中国国家主席习近平与俄罗斯总统普京在莫斯科举行会谈，双方讨论了天然气管道和本币结算问题。"


def article(text: str, title: str, meta: str = "") -> str:
    """Return an article page: a title and six paragraphs of `text`."""
    paragraphs = "".join(f"<p>{text} {i}.</p>\n" for i in range(6))
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>\n{paragraphs}</article></body></html>\n"
    )


def rss(items: str) -> bytes:
    """Return an RSS 2.0 document around `items`."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Hostile'
        f"</title><link>https://news.example.com/</link><description>x</description>\n{items}"
        "</channel></rss>\n"
    ).encode()


def item(n: int, link: bool = True, date: bool = True) -> str:
    """Return one RSS item, with or without its link and date."""
    parts = [f"<title>Item {n}: China and Russia</title>"]
    if link:
        parts.append(f"<link>https://news.example.com/world/{n}.html?utm_source=rss</link>")
    if date:
        parts.append(f"<pubDate>Mon, 16 Nov 2026 10:{n % 60:02d}:00 GMT</pubDate>")
    return f"<item>{''.join(parts)}<description>Story {n}.</description></item>\n"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
HTML = "text/html"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.log: list[tuple[str, dict[str, str]]] = []  # (path, headers) of every request
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet: clients hang up on these routes all the time, that is the point."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """Route the request to its handler (404 for an unknown path)."""
        url = urlsplit(self.path)
        with self.server.lock:
            self.server.log.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.query = parse_qs(url.query)
        handler = _HANDLERS.get(url.path)
        try:
            if handler is None:
                self.send_body(404, b"no such route", "text/plain")
            else:
                handler(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: expected
        self.close_connection = True

    # ---- helpers ----

    def send_body(self, status: int, body: bytes, ctype: str | None, extra: dict | None = None):
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")  # one request per connection, said so
        self.end_headers()
        self.wfile.write(body)

    def pause(self, seconds: float) -> bool:
        """Wait; return True if the server is stopping (the route should give up)."""
        self.wfile.flush()
        return self.server.stopping.wait(seconds)

    def stream(self, total: int, chunked: bool = False) -> None:
        """Write `total` bytes of HTML in 64 KiB pieces (chunked encoding if asked)."""
        for _ in range(total // len(CHUNK)):
            if self.server.stopping.is_set():
                return
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            else:
                self.wfile.write(CHUNK)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # ---- time: every request ends within the deadline, or sooner ----

    @route(
        "/drip", Expect("page", "stalled:", 8.0, True, settings={"request_deadline_seconds": 10})
    )
    def drip(self) -> None:
        """Promises 40 bytes, sends one every 0.5 s: cut off once the rate is judged (5 s)."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", "40")
        self.end_headers()
        for _ in range(40):
            if self.pause(0.5):
                return
            self.wfile.write(b"x")

    @route("/slow-headers", Expect("page", "deadline: over 3 s", 5.0, True))
    def slow_headers(self) -> None:
        """One header line every 0.5 s, each within the 1 s step timeout: the deadline ends it."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        for n in range(60):
            if self.pause(0.5):
                return
            self.wfile.write(b"X-Slow-%d: %d\r\n" % (n, n))

    @route("/trickle", Expect("page", "deadline: over 3 s", 5.0, True))
    def trickle(self) -> None:
        """A body at 2.5 KB/s (above the minimum rate) that would take 400 s: the deadline."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        for _ in range(200):
            if self.pause(0.1):
                return
            self.wfile.write(b"<p>" + b"x" * 249 + b"</p>")

    @route("/silent", Expect("page", "timeout", 3.0, True))
    def silent(self) -> None:
        """Accepts, reads the request, never answers."""
        self.server.stopping.wait(30)

    # ---- size: nothing over max_bytes is held, decoded or not ----

    @route("/huge-declared", Expect("page", f"too large: {BIG} bytes", 3.0, False, big=True))
    def huge_declared(self) -> None:
        """100 MB with its Content-Length: refused on the header."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(BIG))
        self.end_headers()
        self.stream(BIG)

    @route("/huge-undeclared", Expect("page", "too large: over", 3.0, False, big=True))
    def huge_undeclared(self) -> None:
        """100 MB, no Content-Length, ended by closing: cut at the cap."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Connection", "close")
        self.end_headers()
        self.stream(BIG)

    @route("/huge-chunked", Expect("page", "too large: over", 3.0, False, big=True))
    def huge_chunked(self) -> None:
        """100 MB in chunked encoding: cut at the cap."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.stream(BIG, chunked=True)

    @route("/gzip-bomb", Expect("page", "too large: over", 3.0, False, big=True))
    def gzip_bomb(self) -> None:
        """~100 KB of gzip that inflates to 100 MB: the cap counts decoded bytes."""
        self.send_body(200, _bomb(31), HTML, {"Content-Encoding": "gzip"})

    @route("/deflate-bomb", Expect("page", "too large: over", 3.0, False, big=True))
    def deflate_bomb(self) -> None:
        """The same bomb in deflate (zlib) encoding."""
        self.send_body(200, _bomb(15), HTML, {"Content-Encoding": "deflate"})

    @route("/double-gzip-bomb", Expect("page", "too large: over", 3.0, False, big=True))
    def double_gzip_bomb(self) -> None:
        """Gzip of the gzip bomb (~1 KB on the wire), `Content-Encoding: gzip, gzip`."""
        self.send_body(200, _bomb(31, layers=2), HTML, {"Content-Encoding": "gzip, gzip"})

    @route("/bad-gzip", Expect("page", "undecodable body", 3.0, False))
    def bad_gzip(self) -> None:
        """Says gzip, is plain HTML."""
        body = article("Plain text.", "Plain").encode()
        self.send_body(200, body, HTML, {"Content-Encoding": "gzip"})

    @route("/brotli", Expect("page", "unsupported content-encoding br", 3.0, False))
    def brotli(self) -> None:
        """An encoding we never asked for (Accept-Encoding: gzip, deflate)."""
        self.send_body(200, PNG, HTML, {"Content-Encoding": "br"})

    # ---- redirects ----

    @route("/redirect-loop", Expect("page", "too many redirects", 3.0, False))
    def redirect_loop(self) -> None:
        """Redirects to itself."""
        self.send_body(302, b"", HTML, {"Location": "/redirect-loop"})

    @route("/redirect-chain", Expect("page", "too many redirects", 3.0, False))
    def redirect_chain(self) -> None:
        """Redirects to a new URL each time, for ever."""
        n = int(self.query.get("n", ["0"])[0]) + 1
        self.send_body(302, b"", HTML, {"Location": f"/redirect-chain?n={n}"})

    # ---- not an article ----

    @route("/pdf", Expect("page", "not HTML: application/pdf", 3.0, False))
    def pdf(self) -> None:
        """A PDF linked as an article."""
        self.send_body(200, PDF, "application/pdf")

    @route("/image", Expect("page", "not HTML: image/png", 3.0, False))
    def image(self) -> None:
        """An image linked as an article."""
        self.send_body(200, PNG, "image/png")

    @route("/pdf-as-html", Expect("page", "no article", 3.0))
    def pdf_as_html(self) -> None:
        """A PDF labelled text/html: fetched, and extraction finds no text."""
        self.send_body(200, PDF, HTML)

    @route("/no-content-type", Expect("page", "not HTML: no content type", 3.0, False))
    def no_content_type(self) -> None:
        """HTML without a Content-Type."""
        self.send_body(200, article("Text.", "Untyped").encode(), None)

    @route("/no-article", Expect("page", "no article", 3.0))
    def no_article(self) -> None:
        """A page of navigation and nothing else."""
        body = (
            "<!DOCTYPE html><html><head><title>Home</title></head><body><nav><a href='/'>Home"
            "</a> <a href='/world'>World</a></nav><footer>(c) 2026</footer></body></html>"
        )
        self.send_body(200, body.encode(), HTML)

    @route("/empty", Expect("page", "empty body", 3.0, False))
    def empty(self) -> None:
        """200 with nothing in it."""
        self.send_body(200, b"", HTML)

    @route("/blank", Expect("page", "empty body", 3.0, False))
    def blank(self) -> None:
        """200 with only white space."""
        self.send_body(200, b" \r\n\t \n", HTML)

    # ---- charsets: trafilatura decodes the bytes itself (UTF-8, else a guess) ----

    @route("/charset-undeclared", Expect("page", "article", 5.0, text="Владимир Путин"))
    def charset_undeclared(self) -> None:
        """windows-1251, declared nowhere."""
        self.send_body(200, article(RUSSIAN, "Переговоры").encode("cp1251"), HTML)

    @route("/charset-wrong-header", Expect("page", "article", 5.0, text="Владимир Путин"))
    def charset_wrong_header(self) -> None:
        """UTF-8, the header says ISO-8859-1."""
        body = article(RUSSIAN, "Переговоры").encode()
        self.send_body(200, body, "text/html; charset=iso-8859-1")

    @route("/charset-wrong-meta", Expect("page", "article", 5.0, text="Владимир Путин"))
    def charset_wrong_meta(self) -> None:
        """windows-1251, the page's meta says UTF-8."""
        body = article(RUSSIAN, "Переговоры", '<meta charset="utf-8">').encode("cp1251")
        self.send_body(200, body, "text/html; charset=utf-8")

    @route("/charset-gb18030", Expect("page", "article", 5.0, text="习近平"))
    def charset_gb18030(self) -> None:
        """Chinese in GB18030, declared nowhere."""
        self.send_body(200, article(CHINESE, "中俄会谈").encode("gb18030"), HTML)

    # ---- broken HTTP ----

    @route("/lying-length", Expect("page", "network error", 3.0, True))
    def lying_length(self) -> None:
        """Promises 5000 bytes, sends 100 and hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(b"<p>" + b"x" * 97)

    @route("/not-http", Expect("page", "network error", 3.0, True))
    def not_http(self) -> None:
        """Answers with something that is not HTTP."""
        self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    @route("/endless-header", Expect("page", "network error", 3.0, True))
    def endless_header(self) -> None:
        """One header line of 4 MB (httpcore stops reading headers at 100 KB)."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Long: ")
        for _ in range(64):
            if self.server.stopping.is_set():
                return
            self.wfile.write(b"a" * 65536)

    # ---- feeds ----

    @route("/feed/html", Expect("feed", "not a", 3.0, False))
    def feed_html(self) -> None:
        """An HTML page where a feed should be."""
        self.send_body(200, article("Not a feed.", "Home").encode(), HTML)

    @route("/feed/empty", Expect("feed", "not a", 3.0, False))
    def feed_empty(self) -> None:
        """200 and nothing."""
        self.send_body(200, b"", "application/rss+xml")

    @route("/feed/pdf", Expect("feed", "not a feed: content type application/pdf", 3.0, False))
    def feed_pdf(self) -> None:
        """A PDF where a feed should be."""
        self.send_body(200, PDF, "application/pdf")

    @route("/feed/no-link-no-date", Expect("feed", "ok", 3.0, entries=2))
    def feed_no_link_no_date(self) -> None:
        """Four items: whole, no date, no link, neither: the two with links are taken."""
        items = item(1) + item(2, date=False) + item(3, link=False) + item(4, False, False)
        self.send_body(200, rss(items), "application/rss+xml")

    @route(
        "/feed/10000",
        Expect("feed", "ok", 15.0, entries=10_000, settings={"max_bytes": 5_000_000}),
    )
    def feed_10000(self) -> None:
        """10,000 items (2.4 MB): parsed whole, in bounded time."""
        self.send_body(200, rss("".join(item(n) for n in range(10_000))), "application/rss+xml")

    @route("/feed/huge", Expect("feed", "too large: over", 3.0, False, big=True))
    def feed_huge(self) -> None:
        """100 MB of feed, no Content-Length."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        self.stream(BIG)

    @route("/feed/gzip-bomb", Expect("feed", "too large: over", 3.0, False, big=True))
    def feed_gzip_bomb(self) -> None:
        """A feed that inflates to 100 MB."""
        self.send_body(200, _bomb(31), "application/rss+xml", {"Content-Encoding": "gzip"})

    @route("/feed/trickle", Expect("feed", "deadline: over 3 s", 5.0, True))
    def feed_trickle(self) -> None:
        """A feed at 2.5 KB/s that would take minutes."""
        self.trickle()

    @route("/feed/silent", Expect("feed", "timeout", 3.0, True))
    def feed_silent(self) -> None:
        """A feed server that never answers."""
        self.silent()

    @route("/feed/redirect-loop", Expect("feed", "too many redirects", 3.0, False))
    def feed_redirect_loop(self) -> None:
        """A feed that redirects to itself."""
        self.send_body(302, b"", HTML, {"Location": "/feed/redirect-loop"})

    # ---- for the guard's tests (tests/test_http_guard.py), not hostile by themselves ----

    def ok(self) -> None:
        """A small article."""
        self.send_body(200, article("China and Russia.", "OK").encode(), HTML)

    def redirect(self) -> None:
        """A redirect to ?to=URL."""
        self.send_body(302, b"", HTML, {"Location": self.query["to"][0]})


_HANDLERS["/ok"] = _Handler.ok
_HANDLERS["/redirect"] = _Handler.redirect


class _TLSServer(_Server):
    """The same routes over HTTPS, with the certificate for `secure.test` (tests/fixtures/hostile)."""

    def __init__(self) -> None:
        super().__init__()
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(FIXTURES / "server.pem", FIXTURES / "server.key")

    def get_request(self):
        sock, address = self.socket.accept()
        sock.settimeout(10)  # a client that never finishes the handshake frees its thread
        # The handshake happens in the request's thread, on first use, not in the accept loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


class HostileServer:
    """The hostile routes, served from a daemon thread on 127.0.0.1 (a free port); over HTTPS
    with `tls=True` (trust `CA_FILE`; the certificate names `secure.test` only)."""

    def __init__(self, tls: bool = False) -> None:
        self._server = _TLSServer() if tls else _Server()
        self.port = self._server.server_address[1]
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def log(self) -> list[tuple[str, dict[str, str]]]:
        """Return (path, headers) of every request served so far."""
        with self._server.lock:
            return list(self._server.log)

    def clear(self) -> None:
        """Forget the requests served so far."""
        with self._server.lock:
            self._server.log.clear()

    def __enter__(self) -> HostileServer:
        for wbits, layers in ((31, 1), (15, 1), (31, 2)):
            _bomb(wbits, layers)  # built once, before any test measures memory
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
