"""Recordings hosted on video platforms (YouTube and the like), fetched with yt-dlp: the only
yt-dlp user.

yt-dlp is an optional extra (``pip install 'oerpack[video-platforms]'``), imported only when a
source says ``via: yt-dlp``. It downloads into a working folder beside the source's ``.part``
in the cache (resuming its own ``.part`` there after an interruption); the finished file is
then hashed, checked against the pinned size and sha256 and only then moved into the
content-addressed store, exactly like a plain download.
"""

from __future__ import annotations

import importlib
import logging
import mimetypes
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from ..cache import Cache, UrlRecord
from ..errors import ChecksumError, DownloadError
from ..filetypes import mime_of
from ..models import (
    FetchCancelledError,
    FetchResult,
    FetchTask,
    LockEntry,
    Progress,
    ProgressCallback,
)
from ..settings import Settings
from .hashing import hash_file, verify_pins

log = logging.getLogger(__name__)
#: One file with picture and sound, MP4 when offered: no merging step, plays everywhere.
FORMAT = "best[ext=mp4]/best"
EXTRA = "video-platforms"


class _Stopped(Exception):
    """Raised from a progress hook to make yt-dlp stop (Ctrl-C)."""


def load_yt_dlp(key: str) -> ModuleType:
    """The yt_dlp module, or a DownloadError saying how to install it."""
    try:
        return importlib.import_module("yt_dlp")
    except ImportError:
        raise DownloadError(
            "this source says 'via: yt-dlp' but yt-dlp is not installed",
            key=key,
            hint=f"pip install 'oerpack[{EXTRA}]' (or pip install yt-dlp), then run again",
        ) from None


class _Log:
    """yt-dlp's messages into oerpack's log (it would print them otherwise)."""

    def debug(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)

    def info(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)

    def warning(self, message: str) -> None:
        log.info("yt-dlp: %s", message)

    def error(self, message: str) -> None:
        log.info("yt-dlp: %s", message)


class _Hook:
    """Turns yt-dlp's progress reports into oerpack Progress events; stops on request."""

    def __init__(self, key: str, progress: ProgressCallback, stop: threading.Event) -> None:
        self.key = key
        self.progress = progress
        self.stop = stop
        self.seen = -1

    def __call__(self, status: dict[str, Any]) -> None:
        if self.stop.is_set():
            raise _Stopped(self.key)
        done = int(status.get("downloaded_bytes") or 0)
        if self.seen < 0:
            total = status.get("total_bytes") or status.get("total_bytes_estimate")
            self.progress(
                Progress("start", self.key, amount=done, total=int(total) if total else None)
            )
            self.seen = done
        elif done > self.seen:
            self.progress(Progress("advance", self.key, done - self.seen))
            self.seen = done


def _options(settings: Settings, work: Path, hook: _Hook) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "noplaylist": True,
        "outtmpl": {"default": "media.%(ext)s"},
        "paths": {"home": str(work), "temp": str(work)},
        "continuedl": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _Log(),
        "progress_hooks": [hook],
        "cachedir": False,
        "updatetime": False,
        "socket_timeout": settings.read_timeout,
        "retries": settings.retries,
        "fragment_retries": settings.retries,
        "extractor_retries": settings.retries,
    }


def _downloaded(info: dict[str, Any], work: Path) -> Path:
    for download in info.get("requested_downloads") or ():
        path = Path(download.get("filepath") or "")
        if path.is_file():
            return path
    found = [p for p in work.iterdir() if p.is_file() and not p.name.endswith(".part")]
    if len(found) != 1:
        raise DownloadError(
            "yt-dlp reported success but left no single file", key=str(info.get("webpage_url"))
        )
    return found[0]


def download_platform(
    task: FetchTask,
    part: Path,
    *,
    settings: Settings,
    cache: Cache,
    progress: ProgressCallback,
    stop: threading.Event,
) -> FetchResult:
    """Fetch ``task.url`` (a recording's page) with yt-dlp into ``cache``, verified.

    ``part`` is the source's partial path, held locked by the caller; yt-dlp works in a
    folder beside it, which survives an interruption so that the next run resumes."""
    assert task.url is not None
    yt_dlp = load_yt_dlp(task.label)
    work = part.with_suffix(".yt-dlp")
    work.mkdir(parents=True, exist_ok=True)
    try:
        with yt_dlp.YoutubeDL(_options(settings, work, _Hook(task.key, progress, stop))) as ydl:
            info = ydl.extract_info(task.url, download=True)
    except _Stopped:
        raise FetchCancelledError(task.key) from None
    except yt_dlp.utils.YoutubeDLError as exc:
        raise DownloadError(
            f"yt-dlp: {_first_line(exc)}",
            key=task.label,
            url=task.url,
            hint="check that the page still offers the recording; a newer "
            "yt-dlp may be needed (pip install -U yt-dlp)",
        ) from None
    path = _downloaded(info, work)
    sha256, md5, size = hash_file(path)
    try:
        verify_pins(task, sha256=sha256, size=size, where=task.url)
    except ChecksumError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    blob = cache.put(path, sha256=sha256, md5=md5, size=size)
    shutil.rmtree(work, ignore_errors=True)
    ext = str(info.get("ext") or path.suffix.lstrip("."))
    content_type = mime_of(ext) or mimetypes.guess_type(f"x.{ext}")[0]
    media_url = info.get("url")
    cache.record_url(
        UrlRecord(
            url=task.url, sha256=sha256, size=size, final_url=media_url, content_type=content_type
        )
    )
    return FetchResult(
        key=task.key,
        blob=blob,
        from_cache=False,
        entry=LockEntry(
            url=task.source_url,
            final_url=media_url,
            size=size,
            sha256=sha256,
            md5=md5,
            content_type=content_type,
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        ),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].removeprefix("ERROR: ") if text else type(exc).__name__
