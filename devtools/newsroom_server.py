"""The Sample Newsroom: a small fake news site served over HTTP on localhost for demos and tests."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import tomllib
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from devtools.gdelt_stub import gdelt_answer

NEWSROOM_DIR = Path(__file__).resolve().parent.parent / "newsroom"
SITE_DIR = NEWSROOM_DIR / "site"
EXPECTED_PATH = NEWSROOM_DIR / "expected.toml"
BACKFILL_PATH = NEWSROOM_DIR / "backfill.toml"
BACKFILL_DIR = NEWSROOM_DIR / "backfill"
GDELT_PATH = NEWSROOM_DIR / "gdelt" / "articles.json"

CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".pdf": "application/pdf",
}
TEXT_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".html", ".txt"}
HUGE_BYTES = 20 * 1024 * 1024
MAX_SLOW_SECONDS = 30.0
MAX_REDIRECTS = 50
# The GDELT DOC 2.0 API replay (/gdelt/api/v2/doc/doc): see _Handler._gdelt.
GDELT_ROUTE = ["gdelt", "api", "v2", "doc", "doc"]


def load_expected(path: Path = EXPECTED_PATH) -> dict:
    """Return the parsed expected.toml describing what the pipeline should make of the site."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_backfill(path: Path = BACKFILL_PATH) -> dict:
    """Return the parsed backfill.toml describing what a March 2023 backfill should find."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def url_list(name: str, base_url: str) -> str:
    """Return newsroom/backfill/<name> (a URL list) with {{BASE}} replaced by base_url."""
    return (BACKFILL_DIR / name).read_text(encoding="utf-8").replace("{{BASE}}", base_url)


def _small_page(title: str, text: str) -> bytes:
    """Return a minimal HTML page."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><p>{text}</p></body></html>\n"
    ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The pipeline opens many connections at once; the default backlog of 5 drops some.
    request_queue_size = 64

    def handle_error(self, request: object, client_address: object) -> None:
        """Return None for clients that hang up (normal for keep-alive); report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    site: Path
    base_url: str
    gdelt_path: Path
    requests: list[str]
    requests_lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Return None: the newsroom is quiet."""

    def do_GET(self) -> None:
        """Return None after answering a GET."""
        self._dispatch(send_body=True)

    def do_HEAD(self) -> None:
        """Return None after answering a HEAD."""
        self._dispatch(send_body=False)

    def _dispatch(self, send_body: bool) -> None:
        """Return None after routing the request to a special route or a site file."""
        self.send_body = send_body
        with self.server.requests_lock:
            self.server.requests.append(self.path)
        url = urlsplit(self.path)
        parts = [p for p in unquote(url.path).split("/") if p]
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            if parts[:1] == ["special"]:
                self._special(parts[1:], query)
            elif parts == GDELT_ROUTE:
                self._gdelt(query)
            else:
                self._file(parts, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up (e.g. after reading part of /huge)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        """Return None after sending a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        has_body = status not in (204, 304)
        if has_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.send_body and has_body:
            self.wfile.write(body)

    def _not_found(self) -> None:
        """Return None after sending a 404 page."""
        self._send(404, _small_page("404 Not Found", "No such page."), CONTENT_TYPES[".html"])

    def _file(self, parts: list[str], query: dict[str, list[str]] | None = None) -> None:
        """Return None after serving a file from the site directory.

        Other query parameters are ignored, but `paged=N` (WordPress's feed paging) serves the
        file's page N, `<stem>-paged-N<suffix>` beside it (page 1 is the file itself unless a
        `-paged-1` file exists), and 404 when there is no such page.
        """
        site: Path = self.server.site
        if any(p in ("..", ".") or "\\" in p or "\0" in p for p in parts):
            return self._not_found()
        target = site.joinpath(*parts)
        if target.is_dir():
            target = target / "index.html"
        if query and "paged" in query:
            target = self._paged(target, query["paged"][-1])
            if target is None:
                return self._not_found()
        if not target.is_file() or not target.resolve().is_relative_to(site.resolve()):
            return self._not_found()
        data = target.read_bytes()
        if target.suffix in TEXT_SUFFIXES:
            data = data.replace(b"{{BASE}}", self.server.base_url.encode())
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        mtime = int(target.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        ctype = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        if self._not_modified(etag, mtime):
            return self._send(304, b"", ctype, headers)
        self._send(200, data, ctype, headers)

    @staticmethod
    def _paged(target: Path, value: str) -> Path | None:
        """Return the file for page `value` of target, or None if there is no such page."""
        if not value.isdigit() or int(value) < 1:
            return None
        page = target.with_name(f"{target.stem}-paged-{int(value)}{target.suffix}")
        if page.is_file():
            return page
        return target if int(value) == 1 else None

    def _gdelt(self, query: dict[str, list[str]]) -> None:
        """Return None after answering like the GDELT DOC 2.0 API (devtools/gdelt_stub.py)."""
        body, content_type = gdelt_answer(query, self.server.gdelt_path, self.server.base_url)
        self._send(200, body, content_type)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """Return True if the request's validators match (If-None-Match wins over the date)."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims is None:
            return False
        try:
            return mtime <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False

    def _special(self, parts: list[str], query: dict[str, list[str]]) -> None:
        """Return None after serving one of the dynamic /special/ routes."""
        html = CONTENT_TYPES[".html"]
        route, arg = (parts + ["", ""])[:2]
        if route == "slow":
            try:
                seconds = float(query.get("seconds", ["1"])[0])
            except ValueError:
                seconds = 1.0
            time.sleep(max(0.0, min(seconds, MAX_SLOW_SECONDS)))
            return self._send(200, _small_page("Slow page", f"Served after {seconds:g} s."), html)
        if route == "huge":
            return self._huge()
        if route == "binary":
            blob = bytes(range(256)) * 64
            return self._send(200, blob, "application/octet-stream")
        if route == "status" and arg.isdigit() and 200 <= int(arg) <= 599:
            code = int(arg)
            extra = {"Retry-After": "1"} if code in (429, 503) else {}
            return self._send(code, _small_page(f"Status {code}", "A status page."), html, extra)
        if route == "redirect" and arg.isdigit():
            hops = min(int(arg), MAX_REDIRECTS)
            nxt = f"/special/redirect/{hops - 1}" if hops > 1 else "/special/status/200"
            location = {"Location": self.server.base_url + nxt}
            return self._send(302, _small_page("Found", f"Moved to {nxt}."), html, location)
        self._not_found()

    def _huge(self) -> None:
        """Return None after streaming ~20 MB of HTML in chunks."""
        head = b'<!DOCTYPE html>\n<html lang="en"><head><title>Huge</title></head><body>\n'
        tail = b"</body></html>\n"
        line = b"<p>" + b"All work and no play makes a very long page. " * 20 + b"</p>\n"
        chunk = line * (65536 // len(line))
        n_chunks = (HUGE_BYTES - len(head) - len(tail)) // len(chunk)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES[".html"])
        self.send_header("Content-Length", str(len(head) + n_chunks * len(chunk) + len(tail)))
        self.end_headers()
        if not self.send_body:
            return
        self.wfile.write(head)
        for _ in range(n_chunks):
            self.wfile.write(chunk)
        self.wfile.write(tail)


class Newsroom:
    """The sample news site, served by a threaded HTTP server in a daemon thread.

    `requests` logs the target (path and query, as sent) of every request served, in order,
    across restarts; tests read it to see what a client fetched and what it never asked for.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        site: Path = SITE_DIR,
        gdelt: Path = GDELT_PATH,
    ) -> None:
        self.host, self.port, self.site, self.gdelt = host, port, Path(site), Path(gdelt)
        self.base_url = ""
        self.requests: list[str] = []
        self._requests_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def requested(self, path: str) -> list[str]:
        """Return the logged requests for `path` (any query), e.g. requested("/feeds/wp.rss")."""
        with self._requests_lock:
            return [r for r in self.requests if urlsplit(r).path == path]

    def clear_requests(self) -> None:
        """Return None after emptying the request log."""
        with self._requests_lock:
            self.requests.clear()

    def start(self) -> Newsroom:
        """Return self after binding the port and starting to serve in the background."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.site = self.site
        server.gdelt_path = self.gdelt
        server.requests, server.requests_lock = self.requests, self._requests_lock
        self.port = server.server_address[1]
        self.base_url = server.base_url = f"http://{self.host}:{self.port}"
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="newsroom", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Return None after shutting the server down and closing its socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Return None once Ctrl-C ends serving (starts the server first if needed)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Newsroom:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
