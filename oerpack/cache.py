"""A content-addressed store of verified bytes, keyed by sha256, shared between runs and
between oerpack processes (POSIX file locks guard partial downloads and pruning)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from . import atomic, locking
from .errors import CacheBusyError, ManifestError
from .lock import read_lock
from .models import Blob


@dataclass(frozen=True, slots=True)
class UrlRecord:
    """What a URL served last time: lets a rerun revalidate (304) instead of downloading."""

    url: str
    sha256: str
    size: int
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class CacheUsage:
    blobs: int
    blob_bytes: int
    partials: int
    partial_bytes: int
    lock_files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed: int
    removed_bytes: int
    kept: int
    lock_files: tuple[Path, ...]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _write_atomic(path: Path, text: str) -> None:
    # Cache records can be made again from the blobs they describe: no fsync needed.
    atomic.write_text(path, text, durable=False)


class Cache:
    """``blobs/<aa>/<sha256>`` hold verified bytes, ``<sha256>.json`` their size and md5;
    ``partial/`` holds resumable downloads, ``urls/`` what each URL served, ``locks/``
    the lock files that reference blobs. A blob appears only by ``os.replace`` after it
    was verified, so readers never see a partial one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.partial = root / "partial"
        self.urls = root / "urls"
        self.locks = root / "locks"

    def ensure(self) -> None:
        for folder in (self.blobs, self.partial, self.urls, self.locks):
            folder.mkdir(parents=True, exist_ok=True)

    def blob_path(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256

    def lookup(self, sha256: str, *, size: int | None = None) -> Blob | None:
        """The cached blob with this checksum, if present and of the expected size."""
        path = self.blob_path(sha256)
        try:
            meta = json.loads(path.with_name(sha256 + ".json").read_text(encoding="utf-8"))
            actual = path.stat().st_size
        except (OSError, ValueError):
            return None
        if actual != meta.get("size") or (size is not None and actual != size):
            return None
        return Blob(path=path, size=actual, sha256=sha256, md5=str(meta["md5"]))

    def put(self, part: Path, *, sha256: str, md5: str, size: int) -> Blob:
        """Move the verified file ``part`` into the store (atomic; idempotent)."""
        path = self.blob_path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path.with_name(sha256 + ".json"), json.dumps({"md5": md5, "size": size}))
        os.replace(part, path)
        return Blob(path=path, size=size, sha256=sha256, md5=md5)

    def partial_path(self, url: str) -> Path:
        """Where an unfinished download of ``url`` is kept between runs."""
        return self.partial / f"{_key(url)}.part"

    @contextlib.contextmanager
    def lock_part(
        self, url: str, *, stop: threading.Event | None = None, poll: float = 0.1
    ) -> Iterator[Path]:
        """Hold the partial file of ``url`` exclusively (another process waits)."""
        part = self.partial_path(url)
        with locking.locked(part.with_suffix(".lock"), stop=stop, poll=poll):
            yield part

    def url_record(self, url: str) -> UrlRecord | None:
        try:
            data = json.loads((self.urls / f"{_key(url)}.json").read_text(encoding="utf-8"))
            record = UrlRecord(**data)
        except (OSError, ValueError, TypeError):
            return None
        return record if record.url == url else None

    def record_url(self, record: UrlRecord) -> None:
        _write_atomic(self.urls / f"{_key(record.url)}.json", json.dumps(asdict(record)))

    def register_lock(self, lock_file: Path) -> None:
        """Remember a lock file so that pruning keeps the blobs it references."""
        absolute = str(lock_file.absolute())
        _write_atomic(self.locks / f"{_key(absolute)}.path", absolute)

    def known_locks(self) -> tuple[Path, ...]:
        """Registered lock files that still exist (stale registrations are dropped)."""
        found = []
        for entry in sorted(self.locks.glob("*.path")):
            path = Path(entry.read_text(encoding="utf-8"))
            if path.is_file():
                found.append(path)
            else:
                entry.unlink(missing_ok=True)
        return tuple(found)

    @contextlib.contextmanager
    def in_use(self) -> Iterator[None]:
        """Mark the cache busy for the duration (shared: many fetches, no prune)."""
        self.ensure()
        with locking.locked(self.root / "cache.lock", shared=True):
            yield

    def _blob_files(self) -> Iterator[Path]:
        return (
            p
            for p in self.blobs.glob("*/*")
            if not p.name.endswith(".json") and not p.name.startswith(".")
        )

    def usage(self) -> CacheUsage:
        self.ensure()
        blobs = [p.stat().st_size for p in self._blob_files()]
        parts = [p.stat().st_size for p in self.partial.glob("*.part")]
        return CacheUsage(
            blobs=len(blobs),
            blob_bytes=sum(blobs),
            partials=len(parts),
            partial_bytes=sum(parts),
            lock_files=self.known_locks(),
        )

    def prune(self, extra_locks: tuple[Path, ...] = ()) -> PruneResult:
        """Remove blobs that no known or given lock file references."""
        self.ensure()
        for path in extra_locks:
            if not path.is_file():
                raise ManifestError(
                    "no lock file here",
                    file=str(path),
                    hint="fetch that manifest first, or leave it out",
                )
        lock_files = tuple(dict.fromkeys((*self.known_locks(), *extra_locks)))
        keep = referenced_hashes(lock_files)
        removed = removed_bytes = kept = 0
        with (self.root / "cache.lock").open("a+b") as handle:
            if not locking.try_lock(handle):
                raise CacheBusyError(
                    f"{self.root}: another oerpack process is using the cache",
                    hint="run 'oerpack cache --prune' when it has finished",
                )
            for path in sorted(self._blob_files()):
                if path.name in keep:
                    kept += 1
                    continue
                removed += 1
                removed_bytes += path.stat().st_size
                path.unlink()
                path.with_name(path.name + ".json").unlink(missing_ok=True)
            locking.unlock(handle)
        return PruneResult(
            removed=removed, removed_bytes=removed_bytes, kept=kept, lock_files=lock_files
        )


def referenced_hashes(lock_files: Iterable[Path]) -> frozenset[str]:
    """Every sha256 the given lock files pin (unreadable lock files are an error)."""
    found: set[str] = set()
    for path in lock_files:
        try:
            lock = read_lock(path)
        except ManifestError as exc:
            raise ManifestError(
                f"cannot prune: {exc.detail}",
                file=str(path),
                hint="fix or remove that lock file first",
            ) from None
        found.update(entry.sha256 for _, entry in lock.sources if entry.sha256)
    return frozenset(found)
