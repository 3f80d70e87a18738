"""A real HTTP server on 127.0.0.1 with per-route fault switches, for testing downloads.

Typical use::

    with FaultServer() as srv:
        srv.add("/a.bin", b"hello")
        srv.fault("/a.bin", fail_status=503, fail_times=2, retry_after="0")
        ...  # download srv.url("/a.bin") with requests
        assert srv.stats("/a.bin").statuses == (503, 503, 200)
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import gzip
import hashlib
import logging
import mimetypes
import random
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

Reader = Callable[[int, int], bytes]
"""Returns exactly ``length`` bytes of a body starting at ``offset``."""

CHUNK = 64 * 1024
FIXED_LAST_MODIFIED = datetime(2024, 1, 1, tzinfo=UTC)
MAX_STALL_S = 10.0
#: First bytes that make a body pass a download's check of its type (oerpack.filetypes).
PDF_HEAD = b"%PDF-1.4\n"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42"
PORTAL_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Hotel Wi-Fi</title></head>"
    b"<body><h1>Please log in to continue</h1></body></html>\n"
)
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass
class Fault:
    """Mutable fault switches for one path; ``*_times`` count down per use, -1 means always."""

    fail_status: int | None = None  # answer with this status (plus a short text body)
    fail_times: int = -1
    retry_after: str | None = None  # Retry-After header sent with failures
    cut_after: int | None = None  # send full headers, this many body bytes, then SHUT_RDWR
    cut_times: int = -1
    stall_after: int | None = None  # send this many body bytes, then go silent
    stall_seconds: float = 2.0  # capped at MAX_STALL_S; cut short when the server closes
    stall_times: int = -1
    ignore_range: bool = False  # always 200 with the whole body, no Accept-Ranges
    no_content_length: bool = False  # body delimited by closing the connection
    wrong_bytes: bool = False  # same length, last byte of every written piece inverted
    trickle_bytes_per_s: int | None = None
    redirect_to: str | None = None  # Location header value, e.g. "/other.bin"
    redirect_status: int = 302
    bad_content_range_start: bool = False  # 206 whose Content-Range start is off by one
    refuse_head: int | None = None  # answer HEAD with this status (e.g. 405) while GET works
    html_instead: bool = False  # 200 text/html with a small web page (a captive portal)
    gzip_encoding: bool = False  # whole body gzip-compressed, Content-Encoding: gzip, no ranges
    encoding_label: str | None = None  # a Content-Encoding header on the unchanged body
    extra_length: int = 0  # Content-Length claims this many bytes more than are sent

    def _take(self, counter: str) -> bool:
        left: int = getattr(self, counter)
        if left > 0:
            setattr(self, counter, left - 1)
        return left != 0


@dataclass(frozen=True, slots=True)
class Route:
    """The content served at one path."""

    path: str
    size: int
    etag: str
    last_modified: datetime
    content_type: str
    reader: Reader = field(repr=False)


class RouteOptions(TypedDict, total=False):
    """Keyword options of FaultServer.add() and replace()."""

    size: int  # required with a plain reader callable
    etag: str  # quoted, e.g. '"v1"'
    last_modified: datetime
    content_type: str


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it and the status it answered."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    status: int

    def header(self, name: str) -> str | None:
        """Return the first request header called ``name`` (case-insensitive), if any."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True, slots=True)
class RouteStats:
    """A snapshot of the traffic on one path; ``bytes_sent`` counts body bytes only."""

    requests: tuple[RequestRecord, ...] = ()
    bytes_sent: int = 0

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def statuses(self) -> tuple[int, ...]:
        return tuple(r.status for r in self.requests)


class PatternBody:
    """Deterministic pseudo-random bytes of any size, read at any offset without storing them.

    Every 64 KiB block starts with its own index and is a distinct rotation of one random block,
    so bytes fetched from a wrong offset never equal the right ones. ``head`` replaces the
    first bytes (e.g. PDF_HEAD), so that downloads recognise the body as a file of that type.
    """

    __slots__ = ("_base", "head", "seed", "size")

    def __init__(self, size: int, seed: int = 0, head: bytes = b"") -> None:
        self.size = size
        self.seed = seed
        self.head = head[:size]
        self._base = random.Random(seed).randbytes(CHUNK)

    def __call__(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ValueError(f"read {offset}+{length} outside body of {self.size} bytes")
        out = bytearray()
        pos, end = offset, offset + length
        while pos < end:
            index, inner = divmod(pos, CHUNK)
            take = min(CHUNK - inner, end - pos)
            out += self._block(index)[inner : inner + take]
            pos += take
        if offset < len(self.head):
            shown = self.head[offset : offset + length]
            out[: len(shown)] = shown
        return bytes(out)

    def _block(self, index: int) -> bytes:
        turn = (index * 7919) % CHUNK
        return index.to_bytes(8, "big") + (self._base[turn:] + self._base[:turn])[8:]

    def hexdigest(self, algorithm: str = "sha256") -> str:
        """Hash the whole body block by block (never holding it in memory)."""
        digest = hashlib.new(algorithm)
        for offset in range(0, self.size, CHUNK):
            digest.update(self(offset, min(CHUNK, self.size - offset)))
        return digest.hexdigest()

    def sha256(self) -> str:
        return self.hexdigest("sha256")


def pattern_body(size: int, seed: int = 0, head: bytes = b"") -> PatternBody:
    """Return a cheap deterministic body of ``size`` bytes, usable as ``data`` for add();
    ``head`` (PDF_HEAD, MP4_HEAD) makes it start like a file of that type."""
    return PatternBody(size, seed, head)


def http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


def _parse_date(value: str | None) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


class RangeNotSatisfiableError(Exception):
    """The requested range starts at or beyond the end of the body."""


def parse_range(value: str, size: int) -> tuple[int, int] | None:
    """Parse one ``bytes=`` range into inclusive (start, end); None means serve the whole body."""
    unit, _, spec = value.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip().lower() != "bytes" or "," in spec or not dash:
        return None
    try:
        if not first.strip():
            suffix = int(last)
            if suffix <= 0 or size == 0:
                raise RangeNotSatisfiableError(value)
            return max(0, size - suffix), size - 1
        start, end = int(first), (int(last) if last.strip() else None)
    except ValueError:
        return None
    if start < 0 or (end is not None and end < start):
        return None
    if start >= size:
        raise RangeNotSatisfiableError(value)
    return start, size - 1 if end is None else min(end, size - 1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30.0  # a safety net for clients that vanish without closing
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        target = getattr(self, "path", "")
        headers = tuple(self.headers.items()) if getattr(self, "headers", None) else ()
        record = RequestRecord(self.command or "", target, headers, code)
        self.server.owner._record(urlsplit(target).path, record)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        path = urlsplit(self.path).path
        route, fault, fail = self.server.owner._begin(path)
        if head and fault.refuse_head is not None:  # a HEAD-less server: GET unaffected
            allow = {"Allow": "GET"} if fault.refuse_head == 405 else {}
            return self._send_short(fault.refuse_head, allow, head=True)
        if fail and fault.fail_status is not None:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return self._send_short(fault.fail_status, extra, head=head)
        if fault.redirect_to is not None:
            location = {"Location": fault.redirect_to}
            return self._send_short(fault.redirect_status, location, head=head)
        if route is None:
            return self._send_short(404, {}, head=head)
        if fault.html_instead:
            return self._send_page(PORTAL_PAGE, head=head)
        headers = {"ETag": route.etag, "Last-Modified": http_date(route.last_modified)}
        if self._not_modified(route):
            return self._send_short(304, headers, head=True)
        headers["Content-Type"] = route.content_type
        if fault.encoding_label is not None:
            headers["Content-Encoding"] = fault.encoding_label
        status, start, end = 200, 0, route.size - 1
        if not fault.ignore_range:
            headers["Accept-Ranges"] = "bytes"
            wanted = self.headers.get("Range")
            try:
                span = parse_range(wanted, route.size) if wanted else None
            except RangeNotSatisfiableError:
                return self._send_short(416, {"Content-Range": f"bytes */{route.size}"}, head=head)
            if span is not None and self._if_range_holds(route):
                status, (start, end) = 206, span
                shown = start + (-1 if start > 0 else 1) if fault.bad_content_range_start else start
                headers["Content-Range"] = f"bytes {shown}-{shown + end - start}/{route.size}"
        if fault.gzip_encoding:
            return self._send_gzip(route, headers, head=head)
        if fault.no_content_length:
            headers["Connection"] = "close"
            self.close_connection = True
        else:
            headers["Content-Length"] = str(end - start + 1 + fault.extra_length)
        if fault.extra_length:  # the body ends early: the client sees the connection close
            headers["Connection"] = "close"
            self.close_connection = True
        self._send_head(status, headers)
        if not head:
            self._send_body(path, route, start, end - start + 1, fault)

    def _send_head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_page(self, body: bytes, *, head: bool) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
        self._send_head(200, headers)
        if not head:
            self.wfile.write(body)

    def _send_gzip(self, route: Route, headers: dict[str, str], *, head: bool) -> None:
        body = gzip.compress(route.reader(0, route.size), mtime=0)
        headers = {k: v for k, v in headers.items() if k != "Accept-Ranges"}
        headers |= {"Content-Encoding": "gzip", "Content-Length": str(len(body))}
        self._send_head(200, headers)
        if not head:
            self.wfile.write(body)

    def _send_short(self, status: int, headers: dict[str, str], *, head: bool) -> None:
        body = b"" if status == 304 else f"{status} {self.responses[status][0]}\n".encode()
        if status != 304:
            headers |= {"Content-Type": "text/plain", "Content-Length": str(len(body))}
        self._send_head(status, headers)
        if not head and body:
            self.wfile.write(body)

    def _not_modified(self, route: Route) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or route.etag.removeprefix("W/") in tags
        since = _parse_date(self.headers.get("If-Modified-Since"))
        return since is not None and route.last_modified.replace(microsecond=0) <= since

    def _if_range_holds(self, route: Route) -> bool:
        value = (self.headers.get("If-Range") or "").strip()
        if not value:
            return True
        if value.startswith(('"', "W/")):  # weak validators never match (RFC 9110 13.1.5)
            return value == route.etag and not value.startswith("W/")
        return _parse_date(value) == route.last_modified.replace(microsecond=0)

    def _send_body(self, path: str, route: Route, start: int, length: int, fault: Fault) -> None:
        owner = self.server.owner
        cut = fault.cut_after is not None and owner._consume(path, "cut_times")
        stalls = fault.stall_after is not None and owner._consume(path, "stall_times")
        stall_at = fault.stall_after if stalls else None
        limit = min(length, fault.cut_after or 0) if cut else length
        rate = fault.trickle_bytes_per_s
        step = max(1, min(CHUNK, rate // 10)) if rate else CHUNK
        pos = 0
        while pos < limit and not owner.stopping:
            if pos == stall_at:
                stall_at = None
                owner._stop.wait(min(fault.stall_seconds, MAX_STALL_S))
                continue
            n = min(step, limit - pos, (stall_at - pos) if stall_at is not None else limit)
            data = route.reader(start + pos, n)
            if len(data) != n:
                raise ValueError(f"reader for {path} returned {len(data)} bytes, wanted {n}")
            if fault.wrong_bytes:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])  # the file's head stays intact
            owner._count(path, n)  # counted first so a client never sees bytes not yet counted
            try:
                self.wfile.write(data)
            except OSError:
                owner._count(path, -n)
                raise
            pos += n
            if rate:
                owner._stop.wait(n / rate)
        if cut:  # FIN mid-body: the client sees fewer bytes than Content-Length promised
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FaultServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call getfqdn(), a reverse DNS lookup we do not need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]  # type: ignore[assignment]

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, _DISCONNECTS) or self.owner.stopping:
            logger.debug("client %s went away: %r", client_address, error)
        else:
            logger.error("fault server failed serving %s", client_address, exc_info=True)


class FaultServer:
    """A threaded HTTP/1.1 server on 127.0.0.1:<ephemeral> serving GET and HEAD with faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._routes: dict[str, Route] = {}
        self._faults: dict[str, Fault] = {}
        self._stats: dict[str, RouteStats] = {}
        self._connections: set[socket.socket] = set()
        self._generation = 0
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving, drop open connections (ending stalls and keep-alives), join threads."""
        if self._httpd is None or self._thread is None:
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins the request threads
        self._thread.join()
        self._httpd = self._thread = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FaultServer is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def add(self, path: str, data: bytes | Reader, **options: Unpack[RouteOptions]) -> Route:
        """Serve ``data`` (bytes, a PatternBody, or a reader plus ``size=``) at a new path.

        Defaults: a quoted ETag derived from the content, Last-Modified FIXED_LAST_MODIFIED,
        Content-Type guessed from the path.
        """
        with self._lock:
            if path in self._routes:
                raise ValueError(f"{path} is already served; use replace()")
            return self._put(path, data, options)

    def replace(self, path: str, data: bytes | Reader, **options: Unpack[RouteOptions]) -> Route:
        """Change the content at ``path``: new ETag, Last-Modified one hour later by default."""
        with self._lock:
            old = self._routes[path]
            options.setdefault("last_modified", old.last_modified + timedelta(hours=1))
            return self._put(path, data, options)

    def _put(self, path: str, data: bytes | Reader, options: RouteOptions) -> Route:
        self._generation += 1
        size = options.get("size")
        if isinstance(data, bytes):
            body = data
            reader: Reader = lambda offset, length: body[offset : offset + length]  # noqa: E731
            size, auto_tag = len(body), hashlib.sha256(body).hexdigest()[:24]
        elif isinstance(data, PatternBody):
            reader, size = data, data.size
            auto_tag = f"pattern-{data.seed}-{data.size}" + (
                f"-{data.head.hex()}" if data.head else ""
            )
        elif size is None:
            raise ValueError("a reader callable needs size=")
        else:
            reader, auto_tag = data, f"reader-{self._generation}-{size}"
        guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
        route = Route(
            path=path,
            size=size,
            etag=options.get("etag") or f'"{auto_tag}"',
            last_modified=options.get("last_modified") or FIXED_LAST_MODIFIED,
            content_type=options.get("content_type") or guessed,
            reader=reader,
        )
        self._routes[path] = route
        return route

    def route(self, path: str) -> Route:
        with self._lock:
            return self._routes[path]

    def fault(self, path: str, **switches: Any) -> Fault:
        """Return the live Fault for ``path`` (any path, served or not), setting ``switches``."""
        known = {f.name for f in dataclasses.fields(Fault)}
        with self._lock:
            fault = self._faults.setdefault(path, Fault())
            for name, value in switches.items():
                if name not in known:
                    raise TypeError(f"unknown fault switch {name!r}")
                setattr(fault, name, value)
            return fault

    def clear_fault(self, path: str) -> None:
        with self._lock:
            self._faults.pop(path, None)

    def stats(self, path: str) -> RouteStats:
        with self._lock:
            return self._stats.get(path, RouteStats())

    def reset_stats(self, path: str | None = None) -> None:
        with self._lock:
            for key in list(self._stats) if path is None else [path]:
                self._stats.pop(key, None)

    # Called from request threads.
    def _begin(self, path: str) -> tuple[Route | None, Fault, bool]:
        with self._lock:
            fault = self._faults.get(path)
            if fault is None:
                return self._routes.get(path), Fault(), False
            fail = fault.fail_status is not None and fault._take("fail_times")
            return self._routes.get(path), dataclasses.replace(fault), fail

    def _consume(self, path: str, counter: str) -> bool:
        with self._lock:
            fault = self._faults.get(path)
            return fault is not None and fault._take(counter)

    def _record(self, path: str, record: RequestRecord) -> None:
        with self._lock:
            old = self._stats.get(path, RouteStats())
            self._stats[path] = RouteStats((*old.requests, record), old.bytes_sent)

    def _count(self, path: str, n: int) -> None:
        with self._lock:
            old = self._stats.get(path, RouteStats())
            self._stats[path] = RouteStats(old.requests, old.bytes_sent + n)

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)
        if add and self.stopping:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
