"""Download one source into the cache: streamed, resumed, retried and verified (the only
user of ``requests``)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import requests
import urllib3

from .. import __version__
from ..cache import Cache, UrlRecord
from ..diskspace import SpaceNeed, check_space, disk_full_as, free_bytes, is_disk_full
from ..errors import (
    ChecksumError,
    DiskFullError,
    DoesNotFitError,
    DownloadError,
    OfflineMissingError,
)
from ..models import (
    Blob,
    FetchCancelledError,
    FetchResult,
    FetchTask,
    LockEntry,
    Progress,
    ProgressCallback,
)
from ..settings import Settings
from .hashing import CHUNK, Hashes, hash_file, hash_prefix, verify_pins
from .retry import RETRY_STATUS, RateFloor, RetryPolicy, parse_retry_after
from .sniff import check_encoding, check_head, expected_ext, read_head

log = logging.getLogger(__name__)
READ_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)


class _Retryable(Exception):
    def __init__(self, reason: str, *, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


def new_session(settings: Settings) -> requests.Session:
    """One session per worker: keep-alive to each host, no hidden urllib3 retries."""
    session = requests.Session()
    session.headers["User-Agent"] = f"{settings.user_agent}/{__version__}"
    session.headers["Accept-Encoding"] = "identity"
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=1, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HostSlots:
    """At most ``per_host`` connections to one host across all workers."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextlib.contextmanager
    def hold(self, url: str, stop: threading.Event) -> Iterator[None]:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        while not slot.acquire(timeout=0.1):
            if stop.is_set():
                raise FetchCancelledError(host)
        try:
            yield
        finally:
            slot.release()


@dataclass(frozen=True, slots=True)
class _Answer:
    """The headers of a response that will be streamed into the part file."""

    resumed: bool
    offset: int
    total: int | None
    etag: str | None
    last_modified: str | None
    final_url: str
    content_type: str | None
    #: The part file already holds the whole file (the server promised more than it had).
    complete: bool = False


class Downloader:
    """Fetches one task at a time with one session; build one per worker."""

    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        progress: ProgressCallback | None = None,
        *,
        slots: HostSlots | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.progress = progress or (lambda event: None)
        self.slots = slots or HostSlots(settings.per_host)
        self.stop = stop or threading.Event()
        self.policy = RetryPolicy(settings.retries, settings.backoff, settings.max_backoff)
        self.session = new_session(settings)
        self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oerpack-md5")
        self._carry: tuple[Path, Hashes] | None = None
        #: Where each part's last body ended early, as (bytes received, bytes promised).
        self._ended_early: dict[Path, tuple[int, int]] = {}

    def close(self) -> None:
        self.session.close()
        self._helper.shutdown(wait=False, cancel_futures=True)

    def fetch(self, task: FetchTask) -> FetchResult:
        if task.path is not None:
            return self._local(task)
        if hit := self._cached(task, offline=self.settings.offline):
            return hit
        if self.settings.offline or task.url is None:
            raise OfflineMissingError([task.key])
        self.cache.ensure()
        try:
            with (
                disk_full_as(self.cache.root, f"downloading {task.label}"),
                self.cache.lock_part(task.url, stop=self.stop) as part,
            ):
                # Another process may have finished this file while we waited for its lock.
                if hit := self._cached(task, offline=False):
                    return hit
                if task.via is not None:
                    return self._platform(task, part)
                return self._download(task, part)
        except InterruptedError:
            raise FetchCancelledError(task.key) from None

    def _platform(self, task: FetchTask, part: Path) -> FetchResult:
        from .platform import download_platform  # imports yt-dlp, an optional extra

        assert task.url is not None
        with self.slots.hold(task.url, self.stop):
            return download_platform(
                task,
                part,
                settings=self.settings,
                cache=self.cache,
                progress=self.progress,
                stop=self.stop,
            )

    def _cached(self, task: FetchTask, *, offline: bool) -> FetchResult | None:
        blob = self.cache.lookup(task.sha256, size=task.size) if task.sha256 else None
        if blob is not None:
            return FetchResult(
                key=task.key, blob=blob, entry=self._entry(task, blob), from_cache=True
            )
        record = self._usable_record(task)
        if offline and record is not None and (blob := self.cache.lookup(record.sha256)):
            return self._from_record(task, record, blob)
        return None

    def _usable_record(self, task: FetchTask) -> UrlRecord | None:
        """What this URL served before, when it may stand in for an unpinned source."""
        if task.url is None or task.sha256 is not None or task.fresh:
            return None
        record = self.cache.url_record(task.url)
        if record is None or (task.size is not None and record.size != task.size):
            return None
        return record

    def _from_record(self, task: FetchTask, record: UrlRecord, blob: Blob) -> FetchResult:
        entry = self._entry(
            task,
            blob,
            etag=record.etag,
            last_modified=record.last_modified,
            final_url=record.final_url,
            content_type=record.content_type,
        )
        return FetchResult(key=task.key, blob=blob, entry=entry, from_cache=True)

    def _entry(self, task: FetchTask, blob: Blob, **extra: str | None) -> LockEntry:
        return LockEntry(
            url=task.source_url,
            size=blob.size,
            sha256=blob.sha256,
            md5=blob.md5,
            etag=extra.get("etag", task.etag),
            last_modified=extra.get("last_modified", task.last_modified),
            final_url=extra.get("final_url"),
            content_type=extra.get("content_type"),
            fetched_at=extra.get("fetched_at"),
        )

    def _local(self, task: FetchTask) -> FetchResult:
        assert task.path is not None
        self.progress(Progress("start", task.key, total=task.size))
        sha256, md5, size = hash_file(
            task.path,
            on_chunk=lambda n: self.progress(Progress("advance", task.key, n)),
            helper=self._helper,
        )
        verify_pins(task, sha256=sha256, size=size, where=str(task.path))
        blob = Blob(path=task.path, size=size, sha256=sha256, md5=md5)
        return FetchResult(
            key=task.key,
            blob=blob,
            entry=LockEntry(size=size, sha256=sha256, md5=md5),
            from_cache=False,
            local=True,
        )

    def _download(self, task: FetchTask, part: Path) -> FetchResult:
        try:
            return self._retrying(task, part)
        except ChecksumError as first:
            log.warning("%s; discarded, trying once more from scratch", first)
            return self._retrying(task, part)

    def _retrying(self, task: FetchTask, part: Path) -> FetchResult:
        assert task.url is not None
        failures = 0
        while True:
            try:
                with self.slots.hold(task.url, self.stop):
                    return self._attempt(task, part)
            except _Retryable as exc:
                failures += 1
                if not self.policy.allows(failures):
                    raise DownloadError(
                        f"gave up after {failures} attempts: {exc}",
                        key=task.label,
                        url=task.url,
                        hint=(
                            "the server sends too slowly: run again later (the partial file "
                            "resumes) or lower --min-rate (0 turns the check off)"
                            if str(exc).startswith("too slow")
                            else "check the network and run again; the partial file is kept "
                            "and resumes"
                        ),
                    ) from None
                delay = self.policy.delay(failures, retry_after=exc.wait)
                log.info("%s: %s; retry %d in %.1fs", task.key, exc, failures, delay)
                if self.stop.wait(delay):
                    raise FetchCancelledError(task.key) from None

    def _attempt(self, task: FetchTask, part: Path) -> FetchResult:
        assert task.url is not None
        validator = _read_validator(part)
        offset = part.stat().st_size if validator and part.exists() else 0
        record = self._usable_record(task) if offset == 0 else None
        known = self.cache.lookup(record.sha256, size=record.size) if record else None
        headers = _request_headers(offset, validator, record if known else None)
        try:
            response = self.session.get(
                task.url,
                headers=headers,
                stream=True,
                allow_redirects=True,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"cannot connect: {type(exc).__name__}") from None
        except requests.TooManyRedirects:
            raise DownloadError(
                "too many redirects",
                key=task.label,
                url=task.url,
                hint="the server redirects in a circle; open the URL in a "
                "browser and put its real address in the manifest",
            ) from None
        with response:
            if response.status_code == 304 and record is not None and known is not None:
                return self._from_record(task, record, known)
            answer = _check_response(task, response, offset, part)
            self._refuse_too_large(task, answer)
            _write_validator(part, answer.etag, answer.last_modified)
            hashes = self._resume_hashes(part, answer)
            self._check_room(task, part, answer)
            self.progress(
                Progress("start", task.key, amount=hashes.size, total=answer.total or task.size)
            )
            if not answer.complete:
                self._stream(task, response, part, answer, hashes)
        return self._finish(task, part, answer, hashes)

    def _refuse_too_large(self, task: FetchTask, answer: _Answer) -> None:
        """A file larger than the package's medium allows is refused before its first
        byte, when the server says its size (Content-Length)."""
        limit = self.settings.max_file_size
        if limit is not None and answer.total is not None and answer.total > limit:
            raise DoesNotFitError(
                f"{task.label}: {answer.total:,} bytes is more than a FAT32 stick holds in "
                "one file (4 GiB); not downloaded",
                hint="re-encode or split it at the source, or build with "
                "--allow-large-files for exFAT/NTFS sticks",
            )

    def _resume_hashes(self, part: Path, answer: _Answer) -> Hashes:
        if not answer.resumed:
            return Hashes(self._helper)
        carry = self._carry
        if carry is not None and carry[0] == part and carry[1].size == answer.offset:
            carry[1].settle()
            return carry[1]  # hashed in an earlier attempt of this run: no second read
        return hash_prefix(part, limit=answer.offset, helper=self._helper)

    def _check_room(self, task: FetchTask, part: Path, answer: _Answer) -> None:
        expected = answer.total if answer.total is not None else task.size
        if expected is not None:
            check_space([SpaceNeed(part.parent, expected - answer.offset, task.key)], margin=0)

    def _stream(
        self,
        task: FetchTask,
        response: requests.Response,
        part: Path,
        answer: _Answer,
        hashes: Hashes,
    ) -> None:
        # read1 hands over what one recv brought (up to CHUNK) without waiting for more, so
        # hashing and writing overlap with the kernel receiving the next bytes.
        read = response.raw.read1
        self._carry = (part, hashes)
        expected = answer.total if answer.total is not None else task.size
        floor = RateFloor(
            self.settings.min_rate,
            self.settings.rate_window,
            received=hashes.size,
            now=time.monotonic(),
        )
        lost: str | None = None
        try:
            with part.open("ab" if answer.resumed else "wb") as out:
                while not self.stop.is_set():
                    try:
                        chunk = read(CHUNK)
                    except (*READ_ERRORS, OSError) as exc:  # the socket, not the disk
                        lost = f"connection lost at byte {hashes.size}: {type(exc).__name__}"
                        break
                    if not chunk:
                        break
                    out.write(chunk)
                    hashes.update(chunk)
                    self.progress(Progress("advance", task.key, len(chunk)))
                    if slow := floor.check(hashes.size, time.monotonic()):
                        raise _Retryable(f"{slow} at byte {hashes.size}")
        except OSError as exc:
            needed = None if expected is None else expected - hashes.size
            _write_failed(task, part, exc, needed, written=hashes.size)
        if self.stop.is_set():
            raise FetchCancelledError(task.key)
        short = expected is not None and hashes.size < expected
        # a short body of exactly the pinned size is checked against the pin, not retried
        if (short or lost) and hashes.size != task.size:
            if short and not answer.resumed and expected is not None:
                self._ended_early_again(task, part, hashes.size, expected)
            raise _Retryable(lost or f"connection closed at byte {hashes.size} of {expected}")

    def _ended_early_again(self, task: FetchTask, part: Path, received: int, promised: int) -> None:
        """A server whose Content-Length is wrong and that cannot resume sends the same
        short body from the start every time: fail clearly after one restart."""
        if self._ended_early.get(part) == (received, promised):
            raise DownloadError(
                f"the server promised {promised} bytes but sent {received}, twice",
                key=task.label,
                url=task.url,
                hint=f"if {received} bytes are the whole file, pin it with 'size: {received}' "
                "in the manifest; otherwise try again later",
            )
        self._ended_early[part] = (received, promised)

    def _finish(self, task: FetchTask, part: Path, answer: _Answer, hashes: Hashes) -> FetchResult:
        assert task.url is not None
        self._carry = None
        sha256, md5, size = hashes.digests()
        try:
            ext = expected_ext(task, final_url=answer.final_url, content_type=answer.content_type)
            check_head(task, ext, read_head(part), answer.content_type)
            verify_pins(task, sha256=sha256, size=size, where=task.url)
        except (ChecksumError, DownloadError):
            _discard(part)
            raise
        blob = self.cache.put(part, sha256=sha256, md5=md5, size=size)
        _validator_path(part).unlink(missing_ok=True)
        self.cache.record_url(
            UrlRecord(
                url=task.url,
                sha256=sha256,
                size=size,
                etag=answer.etag,
                last_modified=answer.last_modified,
                final_url=answer.final_url,
                content_type=answer.content_type,
            )
        )
        fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        entry = self._entry(
            task,
            blob,
            etag=answer.etag,
            last_modified=answer.last_modified,
            final_url=answer.final_url,
            content_type=answer.content_type,
            fetched_at=fetched_at,
        )
        return FetchResult(key=task.key, blob=blob, entry=entry, from_cache=False)


def _request_headers(
    offset: int, validator: str | None, record: UrlRecord | None
) -> dict[str, str]:
    if offset and validator:
        return {"Range": f"bytes={offset}-", "If-Range": validator}
    if record is not None and record.etag:
        return {"If-None-Match": record.etag}
    if record is not None and record.last_modified:
        return {"If-Modified-Since": record.last_modified}
    return {}


def _check_response(
    task: FetchTask, response: requests.Response, offset: int, part: Path
) -> _Answer:
    """Decide what the response means for the part file, or raise why it is unusable."""
    status = response.status_code
    if status in RETRY_STATUS:
        wait = parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))
        raise _Retryable(f"HTTP {status} {response.reason}", wait=wait)
    if status == 416 and offset and _range_total(response) == offset:
        # "nothing from there on; the file has <offset> bytes": the part is the whole file,
        # and the Content-Length that made us ask for more was wrong
        log.info("%s: the server promised more bytes than the file has", task.key)
        return _Answer(
            resumed=True,
            offset=offset,
            total=offset,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            final_url=response.url,
            content_type=None,
            complete=True,
        )
    if status == 416 and offset:
        _discard(part)
        raise _Retryable("server refused the resume range; starting again", wait=0)
    if status not in (200, 206):
        raise DownloadError(
            f"HTTP {status} {response.reason}",
            key=task.label,
            url=task.url,
            hint="the file may have moved; check the URL in the manifest",
        )
    resumed = status == 206
    if resumed and not _range_starts_at(response, offset):
        _discard(part)
        raise _Retryable(
            f"server resumed at the wrong offset "
            f"({response.headers.get('Content-Range')!r}, wanted {offset})",
            wait=0,
        )
    content_type = response.headers.get("Content-Type")
    ext = expected_ext(task, final_url=response.url, content_type=content_type)
    check_encoding(task, response.headers.get("Content-Encoding"), ext=ext)
    if offset and not resumed:
        log.info("%s: server sent the whole file (changed or no ranges); restarting", task.key)
    start = offset if resumed else 0
    length = response.headers.get("Content-Length")
    etag = response.headers.get("ETag")
    return _Answer(
        resumed=resumed,
        offset=start,
        total=start + int(length) if length and length.isdigit() else None,
        etag=etag,
        last_modified=response.headers.get("Last-Modified"),
        final_url=response.url,
        content_type=response.headers.get("Content-Type"),
    )


def _range_starts_at(response: requests.Response, offset: int) -> bool:
    value = response.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    first = rest.partition("-")[0]
    return unit == "bytes" and first.isdigit() and int(first) == offset


def _range_total(response: requests.Response) -> int | None:
    """The full size a 416 states (``Content-Range: bytes */<size>``)."""
    total = response.headers.get("Content-Range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _validator_path(part: Path) -> Path:
    return part.with_suffix(".validator")


def _read_validator(part: Path) -> str | None:
    try:
        value = _validator_path(part).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def _write_validator(part: Path, etag: str | None, last_modified: str | None) -> None:
    """Record what If-Range must match to resume: a strong ETag, else Last-Modified."""
    strong = etag if etag and not etag.startswith("W/") else None
    _validator_path(part).write_text(strong or last_modified or "", encoding="utf-8")


def _write_failed(
    task: FetchTask, part: Path, error: OSError, needed: int | None, *, written: int
) -> NoReturn:
    """A write into the cache failed: a full disk is DiskFullError (exit 7), naming the
    folder and the bytes still to come; the partial file stays, to resume."""
    if is_disk_full(error):
        raise DiskFullError(
            path=part.parent,
            what=f"downloading {task.label} (at byte {written:,})",
            needed=needed,
            free=free_bytes(part.parent),
        ) from None
    raise DownloadError(
        f"cannot write {part}: {error.strerror}",
        key=task.label,
        hint="check the permissions of the cache",
    ) from None


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _validator_path(part).unlink(missing_ok=True)
