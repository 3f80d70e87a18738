"""Download sources into the cache: streamed, resumed, retried and verified (the only
user of ``requests``)."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

from . import __version__
from .cache import Cache
from .errors import ChecksumError, DownloadError, OerpackError, OfflineMissingError
from .models import Blob, FetchReport, FetchResult, LockEntry
from .settings import Settings

log = logging.getLogger(__name__)
CHUNK = 256 * 1024
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchTask:
    """One source to bring into the cache. ``url`` is what is requested (mirrors
    applied); ``source_url`` is what the lock records."""

    key: str
    url: str | None = None
    source_url: str | None = None
    path: Path | None = None
    sha256: str | None = None
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event: ``kind`` is ``start``, ``advance`` or ``done``."""

    kind: str
    key: str
    amount: int = 0
    total: int | None = None
    result: FetchResult | None = None
    error: str | None = None


ProgressCallback = Callable[[Progress], None]


class _Retryable(Exception):
    def __init__(self, reason: str, *, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class _Hashes:
    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def update(self, data: bytes) -> None:
        self.sha256.update(data)
        self.md5.update(data)
        self.size += len(data)


def hash_file(path: Path, *, on_chunk: Callable[[int], None] | None = None) -> tuple[str, str, int]:
    """sha256, md5 and size of a file, read once in chunks."""
    hashes = _Hashes()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            hashes.update(chunk)
            if on_chunk:
                on_chunk(len(chunk))
    return hashes.sha256.hexdigest(), hashes.md5.hexdigest(), hashes.size


def new_session(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"{settings.user_agent}/{__version__}"
    session.headers["Accept-Encoding"] = "identity"
    return session


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Downloader:
    """Fetches one task at a time with one session; build one per worker."""

    def __init__(self, settings: Settings, cache: Cache,
                 progress: ProgressCallback | None = None) -> None:
        self.settings = settings
        self.cache = cache
        self.progress = progress or (lambda event: None)
        self.session = new_session(settings)

    def close(self) -> None:
        self.session.close()

    def fetch(self, task: FetchTask) -> FetchResult:
        if task.path is not None:
            return self._local(task)
        if task.sha256 and (blob := self.cache.lookup(task.sha256, size=task.size)):
            return FetchResult(key=task.key, blob=blob, entry=self._entry(task, blob),
                               from_cache=True)
        if self.settings.offline or task.url is None:
            raise OfflineMissingError([task.key])
        try:
            blob, entry = self._download(task)
        except ChecksumError:
            log.warning("%s: checksum mismatch, trying once more from scratch", task.key)
            self.cache.partial_path(task.url).unlink(missing_ok=True)
            blob, entry = self._download(task)
        return FetchResult(key=task.key, blob=blob, entry=entry, from_cache=False)

    def _entry(self, task: FetchTask, blob: Blob, **extra: str | None) -> LockEntry:
        return LockEntry(url=task.source_url, size=blob.size, sha256=blob.sha256, md5=blob.md5,
                         etag=extra.get("etag", task.etag),
                         last_modified=extra.get("last_modified", task.last_modified),
                         final_url=extra.get("final_url"),
                         content_type=extra.get("content_type"),
                         fetched_at=extra.get("fetched_at"))

    def _local(self, task: FetchTask) -> FetchResult:
        assert task.path is not None
        self.progress(Progress("start", task.key, total=task.size))
        sha256, md5, size = hash_file(
            task.path, on_chunk=lambda n: self.progress(Progress("advance", task.key, n)))
        _verify(task, sha256=sha256, size=size, where=str(task.path))
        blob = Blob(path=task.path, size=size, sha256=sha256, md5=md5)
        return FetchResult(key=task.key, blob=blob, entry=LockEntry(
            size=size, sha256=sha256, md5=md5), from_cache=False)

    def _download(self, task: FetchTask) -> tuple[Blob, LockEntry]:
        assert task.url is not None
        self.cache.ensure()
        part = self.cache.partial_path(task.url)
        attempt = 0
        while True:
            try:
                return self._attempt(task, part)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.settings.retries:
                    raise DownloadError(f"gave up after {attempt} attempts: {exc}",
                                        key=task.key, url=task.url,
                                        hint="check the network and run again; the "
                                        "partial file is kept and resumes") from None
                delay = exc.wait if exc.wait is not None else self._backoff(attempt)
                log.info("%s: %s; retry %d in %.1fs", task.key, exc, attempt, delay)
                if delay > 0:
                    time.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.max_backoff, self.settings.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)

    def _attempt(self, task: FetchTask, part: Path) -> tuple[Blob, LockEntry]:
        assert task.url is not None
        meta_path = part.with_suffix(".json")
        validator = _read_validator(meta_path)
        offset = part.stat().st_size if part.exists() and validator else 0
        headers = {"Range": f"bytes={offset}-", "If-Range": validator} if offset else {}
        try:
            response = self.session.get(
                task.url, headers=headers, stream=True,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout))
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"cannot connect: {type(exc).__name__}") from None
        with response:
            if response.status_code in RETRY_STATUS:
                raise _Retryable(f"HTTP {response.status_code}",
                                 wait=_retry_after(response.headers.get("Retry-After")))
            if response.status_code == 416 and offset:
                part.unlink(missing_ok=True)
                raise _Retryable("server refused the resume range", wait=0)
            if response.status_code not in (200, 206):
                raise DownloadError(f"HTTP {response.status_code} {response.reason}",
                                    key=task.key, url=task.url,
                                    hint="the file may have moved; run 'oerpack refresh'")
            if response.status_code == 206 and not _range_starts_at(response, offset):
                part.unlink(missing_ok=True)
                raise _Retryable("server resumed at the wrong offset", wait=0)
            resumed = response.status_code == 206
            hashes = _Hashes()
            if resumed:
                with part.open("rb") as existing:
                    while chunk := existing.read(CHUNK):
                        hashes.update(chunk)
            total = _expected_total(response, offset if resumed else 0)
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
            _write_validator(meta_path, etag or last_modified)
            self.progress(Progress("start", task.key, amount=hashes.size,
                                   total=total or task.size))
            try:
                with part.open("ab" if resumed else "wb") as out:
                    for chunk in response.iter_content(CHUNK):
                        out.write(chunk)
                        hashes.update(chunk)
                        self.progress(Progress("advance", task.key, len(chunk)))
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                raise _Retryable(f"connection lost at byte {hashes.size}: "
                                 f"{type(exc).__name__}") from None
            if total is not None and hashes.size < total:
                raise _Retryable(f"connection closed at byte {hashes.size} of {total}", wait=0)
            final_url = response.url
            content_type = response.headers.get("Content-Type")
        sha256, md5 = hashes.sha256.hexdigest(), hashes.md5.hexdigest()
        try:
            _verify(task, sha256=sha256, size=hashes.size, where=task.url)
        except ChecksumError:
            part.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            raise
        blob = self.cache.put(part, sha256=sha256, md5=md5, size=hashes.size)
        meta_path.unlink(missing_ok=True)
        fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        return blob, self._entry(task, blob, etag=etag, last_modified=last_modified,
                                 final_url=final_url, content_type=content_type,
                                 fetched_at=fetched_at)


def _verify(task: FetchTask, *, sha256: str, size: int, where: str) -> None:
    if task.size is not None and size != task.size:
        raise ChecksumError(key=task.key, what="size", expected=str(task.size),
                            actual=str(size), url=where)
    if task.sha256 is not None and sha256 != task.sha256:
        raise ChecksumError(key=task.key, what="sha256", expected=task.sha256, actual=sha256,
                            url=where)


def _range_starts_at(response: requests.Response, offset: int) -> bool:
    value = response.headers.get("Content-Range", "")
    try:
        unit, rest = value.split(" ", 1)
        start = int(rest.split("-", 1)[0])
    except ValueError:
        return False
    return unit == "bytes" and start == offset


def _expected_total(response: requests.Response, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _read_validator(meta_path: Path) -> str | None:
    try:
        value = json.loads(meta_path.read_text(encoding="utf-8")).get("validator")
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _write_validator(meta_path: Path, validator: str | None) -> None:
    meta_path.write_text(json.dumps({"validator": validator}), encoding="utf-8")


def fetch_all(tasks: tuple[FetchTask, ...], *, settings: Settings,
              progress: ProgressCallback | None = None) -> FetchReport:
    """Fetch every task; a failure is recorded per source and the others go on."""
    cache = Cache(settings.cache_dir)
    downloader = Downloader(settings, cache, progress)
    results: list[FetchResult] = []
    failures: list[tuple[str, OerpackError]] = []
    try:
        for task in tasks:
            try:
                result = downloader.fetch(task)
            except OerpackError as exc:
                failures.append((task.key, exc))
                (progress or (lambda e: None))(Progress("done", task.key, error=str(exc)))
                continue
            results.append(result)
            (progress or (lambda e: None))(Progress("done", task.key, result=result))
    finally:
        downloader.close()
    return FetchReport(results=tuple(results),
                       failures=tuple((key, str(exc)) for key, exc in failures),
                       errors=tuple(exc for _, exc in failures))


# Pages and probes for ``oerpack refresh`` / ``discover``: one GET of an HTML page, and a
# conditional HEAD (GET where HEAD is refused) that never downloads a body.

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
            try:
                response = session.get(url, timeout=(settings.connect_timeout,
                                                     settings.read_timeout))
            except NETWORK_ERRORS as exc:
                reason = f"cannot connect: {type(exc).__name__}"
            else:
                with response:
                    if response.status_code == 200:
                        content = response.content[:MAX_PAGE_BYTES]
                        declared = "charset=" in response.headers.get("Content-Type", "")
                        return Page(url=url, final_url=response.url, content=content,
                                    encoding=response.encoding if declared else None)
                    reason = f"HTTP {response.status_code} {response.reason}"
                    if response.status_code not in RETRY_STATUS:
                        break
            _probe_pause(settings, attempt)
    finally:
        session.close()
    raise DownloadError(f"cannot read the event page: {reason}", url=url,
                        hint="check the address in event.pages, or add a web-archive copy")


def probe(url: str, settings: Settings, *, etag: str | None = None,
          last_modified: str | None = None,
          session: requests.Session | None = None) -> ProbeResult:
    """Ask whether ``url`` still answers and still has the bytes the validators name."""
    own = session is None
    session = session or new_session(settings)
    headers = {k: v for k, v in (("If-None-Match", etag),
                                 ("If-Modified-Since", last_modified)) if v}
    try:
        result = _probe_once(session, "HEAD", url, headers, settings)
        if result.status in HEAD_REFUSED:
            result = _probe_once(session, "GET", url, headers, settings)
        return result
    finally:
        if own:
            session.close()


def _probe_once(session: requests.Session, method: str, url: str, headers: dict[str, str],
                settings: Settings) -> ProbeResult:
    reason = ""
    for attempt in range(settings.retries + 1):
        try:
            response = session.request(method, url, headers=headers, allow_redirects=True,
                                       stream=True, timeout=(settings.connect_timeout,
                                                             settings.read_timeout))
        except NETWORK_ERRORS as exc:
            reason = f"cannot connect: {type(exc).__name__}"
        else:
            with response:
                if response.status_code not in RETRY_STATUS:
                    length = response.headers.get("Content-Length")
                    return ProbeResult(
                        url=url, status=response.status_code, final_url=response.url,
                        redirects=tuple(r.status_code for r in response.history),
                        not_modified=response.status_code == 304,
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                        size=int(length) if length and length.isdigit() else None,
                        reason=f"HTTP {response.status_code} {response.reason}")
                reason = f"HTTP {response.status_code} {response.reason}"
        _probe_pause(settings, attempt)
    return ProbeResult(url=url, status=0, final_url=url, reason=reason)


def _probe_pause(settings: Settings, attempt: int) -> None:
    if attempt < settings.retries:
        delay = min(settings.max_backoff, settings.backoff * 2 ** attempt)
        if delay > 0:
            time.sleep(delay)
