"""Pages and probes for ``oerpack refresh`` and ``discover``: one GET of an HTML page, and a
conditional HEAD (GET where HEAD is refused) that never downloads a body."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from ..errors import DownloadError
from ..settings import Settings
from .download import READ_ERRORS, new_session
from .retry import RETRY_STATUS, RateFloor, RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout)
Session = requests.Session
MAX_PAGE_BYTES = 20 * 1024 * 1024
HEAD_REFUSED = frozenset({403, 405, 501})


@dataclass(frozen=True, slots=True)
class Page:
    """An HTML page as fetched: its bytes, the URL after redirects, the declared charset."""

    url: str
    final_url: str
    content: bytes
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the server says about a URL now. ``status`` 0 means no answer (``reason``);
    ``not_modified`` that the validators sent still hold."""

    url: str
    status: int
    final_url: str
    redirects: tuple[int, ...] = ()
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    size: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.not_modified or 200 <= self.status < 300


def get_page(url: str, settings: Settings) -> Page:
    """GET an HTML page (retrying like a download); raises DownloadError when it fails."""
    session = new_session(settings)
    reason = ""
    try:
        for attempt in range(settings.retries + 1):
            wait = None
            try:
                response = session.get(
                    url, stream=True, timeout=(settings.connect_timeout, settings.read_timeout)
                )
            except NETWORK_ERRORS as exc:
                reason = f"cannot connect: {type(exc).__name__}"
            except requests.TooManyRedirects:
                reason = "too many redirects"
                break
            else:
                with response:
                    if response.status_code == 200:
                        try:
                            content = _read_capped(response, MAX_PAGE_BYTES, settings)
                        except (*READ_ERRORS, OSError) as exc:
                            reason = f"connection lost: {type(exc).__name__}"
                        except _TooSlowError as exc:
                            reason = str(exc)
                        else:
                            declared = "charset=" in response.headers.get("Content-Type", "")
                            return Page(
                                url=url,
                                final_url=response.url,
                                content=content,
                                encoding=response.encoding if declared else None,
                            )
                    else:
                        reason = f"HTTP {response.status_code} {response.reason}"
                        if response.status_code not in RETRY_STATUS:
                            break
                        wait = _retry_after(response)
            _probe_pause(settings, attempt, retry_after=wait)
    finally:
        session.close()
    raise DownloadError(
        f"cannot read the event page: {reason}",
        url=url,
        hint="check the address in event.pages, or add a web-archive copy",
    )


class _TooSlowError(Exception):
    """The page arrives slower than --min-rate."""


def _read_capped(response: requests.Response, cap: int, settings: Settings) -> bytes:
    """At most ``cap`` bytes of the body, read as they come: a page that is endless or
    huge costs ``cap`` bytes of memory and of network, and the connection is then dropped;
    one that trickles in slower than ``settings.min_rate`` raises _TooSlowError."""
    received = bytearray()
    floor = RateFloor(settings.min_rate, settings.rate_window, received=0, now=time.monotonic())
    while chunk := response.raw.read1(256 * 1024, decode_content=True):  # what one recv brings
        received += chunk[: cap - len(received)]
        if len(received) >= cap:
            log.warning(
                "%s: the page is larger than %d bytes; only those are read", response.url, cap
            )
            break
        if slow := floor.check(len(received), time.monotonic()):
            raise _TooSlowError(slow)
    return bytes(received)


def probe(
    url: str,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    session: requests.Session | None = None,
) -> ProbeResult:
    """Ask whether ``url`` still answers and still has the bytes the validators name."""
    own = session is None
    session = session or new_session(settings)
    headers = {
        k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v
    }
    try:
        result = _probe_once(session, "HEAD", url, headers, settings)
        if result.status in HEAD_REFUSED:  # one byte of GET is the nearest thing to a HEAD
            result = _probe_once(session, "GET", url, headers | {"Range": "bytes=0-0"}, settings)
            if result.status == 416:  # an empty file has no first byte
                result = _probe_once(session, "GET", url, headers, settings)
        return result
    finally:
        if own:
            session.close()


def _probe_once(
    session: requests.Session, method: str, url: str, headers: dict[str, str], settings: Settings
) -> ProbeResult:
    reason = ""
    for attempt in range(settings.retries + 1):
        wait = None
        try:
            response = session.request(
                method,
                url,
                headers=headers,
                allow_redirects=True,
                stream=True,
                timeout=(settings.connect_timeout, settings.read_timeout),
            )
        except NETWORK_ERRORS as exc:
            reason = f"cannot connect: {type(exc).__name__}"
        except requests.TooManyRedirects:
            return ProbeResult(url=url, status=0, final_url=url, reason="too many redirects")
        else:
            with response:
                if response.status_code not in RETRY_STATUS:
                    return ProbeResult(
                        url=url,
                        status=response.status_code,
                        final_url=response.url,
                        redirects=tuple(r.status_code for r in response.history),
                        not_modified=response.status_code == 304,
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                        size=_full_size(response),
                        reason=f"HTTP {response.status_code} {response.reason}",
                    )
                reason = f"HTTP {response.status_code} {response.reason}"
                wait = _retry_after(response)
        _probe_pause(settings, attempt, retry_after=wait)
    return ProbeResult(url=url, status=0, final_url=url, reason=reason)


def _full_size(response: requests.Response) -> int | None:
    """The whole file's size: Content-Range's total for a 206, else Content-Length."""
    if response.status_code == 206:
        length = response.headers.get("Content-Range", "").rpartition("/")[2]
    else:
        length = response.headers.get("Content-Length", "")
    return int(length) if length.isdigit() else None


def _retry_after(response: requests.Response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))


def _probe_pause(settings: Settings, attempt: int, *, retry_after: float | None = None) -> None:
    """The downloads' backoff between probe attempts, honouring the server's Retry-After
    like downloads do (no wait after the last one)."""
    if attempt < settings.retries:
        policy = RetryPolicy(
            retries=settings.retries, backoff=settings.backoff, max_backoff=settings.max_backoff
        )
        delay = policy.delay(attempt + 1, retry_after=retry_after)
        if delay > 0:
            time.sleep(delay)
