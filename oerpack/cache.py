"""A content-addressed store of verified bytes, keyed by sha256, shared between runs and
between oerpack processes (POSIX file locks guard partial downloads and pruning)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from . import atomic, locking
from .errors import CacheBusyError, ManifestError, MissingLockFilesError
from .lock import read_lock
from .models import Blob, Lock


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
    #: ``derived/``: transcodes, converted PDFs, thumbnails, page images, notes.
    derived: int = 0
    derived_bytes: int = 0
    missing_locks: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed: int
    removed_bytes: int
    kept: int
    lock_files: tuple[Path, ...]
    derived_removed: int = 0
    derived_bytes: int = 0
    #: Registrations of missing lock files dropped (or, with dry_run, that would be).
    forgotten: tuple[Path, ...] = ()
    dry_run: bool = False
    partials_removed: int = 0
    partial_bytes_removed: int = 0


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
        """Hold the partial file of ``url`` exclusively (another process waits). The lock
        file is removed again when the download is finished (see _remove_lock_file)."""
        part = self.partial_path(url)
        lock_file = part.with_suffix(".lock")
        while True:
            with locking.locked(lock_file, stop=stop, poll=poll) as handle:
                if not _is_current(handle, lock_file):
                    continue  # its holder removed it while we waited: lock the new one
                try:
                    yield part
                finally:
                    _remove_lock_file(lock_file, part)
                return

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

    def record_derived(self, lock_file: Path, names: Iterable[str]) -> None:
        """Remember which entries of ``derived/`` the last build of ``lock_file`` used, so
        that pruning keeps them (and removes what an older recipe made)."""
        absolute = str(lock_file.absolute())
        _write_atomic(self.locks / f"{_key(absolute)}.derived", json.dumps(sorted(set(names))))

    def derived_used(self, lock_files: Iterable[Path]) -> frozenset[str]:
        """Every derived entry the last builds of ``lock_files`` used."""
        found: set[str] = set()
        for lock_file in lock_files:
            record = self.locks / f"{_key(str(lock_file.absolute()))}.derived"
            try:
                names = json.loads(record.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(names, list):
                found.update(n for n in names if isinstance(n, str))
        return frozenset(found)

    def guard_of(self, lock_file: Path) -> Path:
        """The file whose exclusive lock serialises writers of ``lock_file`` (see
        oerpack.versions): one per lock file, in the cache every build of it uses."""
        return self.locks / f"{_key(str(lock_file.absolute()))}.guard"

    def _registrations(self) -> list[tuple[Path, Path]]:
        """``(registration file, lock file)`` for every lock file ever registered."""
        found = []
        for entry in sorted(self.locks.glob("*.path")):
            try:
                found.append((entry, Path(entry.read_text(encoding="utf-8"))))
            except OSError:
                continue
        return found

    def known_locks(self) -> tuple[Path, ...]:
        """Registered lock files that exist where they were registered."""
        return tuple(path for _, path in self._registrations() if path.is_file())

    def missing_locks(self) -> tuple[Path, ...]:
        """Registered lock files that are not there: moved, renamed, deleted or on a drive
        that is not mounted. Pruning stops for them (see prune)."""
        return tuple(path for _, path in self._registrations() if not path.is_file())

    def forget_missing_locks(self) -> tuple[Path, ...]:
        """Drop the registrations of missing lock files; returns them."""
        gone = []
        for entry, path in self._registrations():
            if not path.is_file():
                entry.unlink(missing_ok=True)
                gone.append(path)
        return tuple(gone)

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
        derived = [_tree_size(p) for p in derived_entries(self.root)]
        return CacheUsage(
            blobs=len(blobs),
            blob_bytes=sum(blobs),
            partials=len(parts),
            partial_bytes=sum(parts),
            lock_files=self.known_locks(),
            derived=len(derived),
            derived_bytes=sum(derived),
            missing_locks=self.missing_locks(),
        )

    def prune(
        self,
        extra_locks: tuple[Path, ...] = (),
        *,
        dry_run: bool = False,
        forget_missing: bool = False,
    ) -> PruneResult:
        """Remove blobs and derived outputs that no known or given lock file references.

        A registered lock file that is missing stops the prune (its manifest may only have
        moved, or sit on a drive that is not mounted, and its files may not be fetchable
        again), unless ``forget_missing``. ``dry_run`` removes nothing and reports what
        would go."""
        self.ensure()
        for path in extra_locks:
            if not path.is_file():
                raise ManifestError(
                    "no lock file here",
                    file=str(path),
                    hint="fetch that manifest first, or leave it out",
                )
        missing = self.missing_locks()
        if missing and not forget_missing:
            raise MissingLockFilesError([str(p) for p in missing])
        lock_files = tuple(dict.fromkeys((*self.known_locks(), *extra_locks)))
        keep = referenced_hashes(lock_files)
        keep_derived = self.derived_used(lock_files)
        with (self.root / "cache.lock").open("a+b") as handle:
            if not locking.try_lock(handle):
                raise CacheBusyError(
                    f"{self.root}: another oerpack process is using the cache",
                    hint="run 'oerpack cache --prune' when it has finished",
                )
            try:
                forgotten = () if dry_run or not missing else self.forget_missing_locks()
                blobs = self._prune_blobs(keep, dry_run=dry_run)
                derived = prune_derived(self.root, keep_derived, dry_run=dry_run)
                partials = self._prune_partials(dry_run=dry_run)
            finally:
                locking.unlock(handle)
        return PruneResult(
            removed=blobs[0],
            removed_bytes=blobs[1],
            kept=blobs[2],
            lock_files=lock_files,
            derived_removed=derived[0],
            derived_bytes=derived[1],
            forgotten=missing if dry_run else forgotten,
            dry_run=dry_run,
            partials_removed=partials[0],
            partial_bytes_removed=partials[1],
        )

    def _prune_blobs(self, keep: frozenset[str], *, dry_run: bool) -> tuple[int, int, int]:
        """(removed, bytes removed, kept) of the blobs not in ``keep``."""
        removed = removed_bytes = kept = 0
        for path in sorted(self._blob_files()):
            if path.name in keep:
                kept += 1
                continue
            removed += 1
            removed_bytes += path.stat().st_size
            if not dry_run:
                path.unlink()
                path.with_name(path.name + ".json").unlink(missing_ok=True)
        return removed, removed_bytes, kept

    def _prune_partials(self, *, dry_run: bool) -> tuple[int, int]:
        """Remove partial downloads that no process is writing; (files, bytes) removed."""
        removed = freed = 0
        for part in sorted(self.partial.glob("*.part")):
            size = _remove_unlocked_part(part, dry_run=dry_run)
            if size is not None:
                removed += 1
                freed += size
        return removed, freed


def derived_entries(root: Path) -> list[Path]:
    """What ``derived/`` holds, one path per entry: a task's output folder
    (``derived/<aa>/<key>/``), a note (``derived/<aa>/<name>.json``: PDF facts, a
    remembered failure) or a scratch folder left by an interrupted build (``derived/tmp/*``)."""
    folder = root / "derived"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/*") if not p.name.startswith("."))


def _derived_name(entry: Path) -> str:
    return entry.name.removesuffix(".json") if entry.is_file() else entry.name


def _tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prune_derived(root: Path, keep: frozenset[str], *, dry_run: bool) -> tuple[int, int]:
    """Remove derived entries no lock references by name (the recipe is in the name, so a
    changed profile's old transcodes go) and stale scratch folders; (removed, bytes)."""
    removed = removed_bytes = 0
    for entry in derived_entries(root):
        if entry.parent.name != "tmp" and _derived_name(entry) in keep:
            continue
        removed += 1
        removed_bytes += _tree_size(entry)
        if not dry_run:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    return removed, removed_bytes


def _read_for_prune(path: Path) -> Lock:
    try:
        return read_lock(path)
    except ManifestError as exc:
        raise ManifestError(
            f"cannot prune: {exc.detail}",
            file=str(path),
            hint="fix or remove that lock file first",
        ) from None


def referenced_hashes(lock_files: Iterable[Path]) -> frozenset[str]:
    """Every sha256 the given lock files pin (unreadable lock files are an error)."""
    found: set[str] = set()
    for path in lock_files:
        found.update(entry.sha256 for _, entry in _read_for_prune(path).sources if entry.sha256)
    return frozenset(found)


def _remove_unlocked_part(part: Path, *, dry_run: bool) -> int | None:
    """Remove a partial download (its resume validator and lock file too) unless a process
    holds its lock (``Cache.lock_part``); its size, or None when it is in use or gone."""
    lock_file = part.with_suffix(".lock")
    with lock_file.open("a+b") as handle:
        if not locking.try_lock(handle):
            return None
        try:
            if not _is_current(handle, lock_file):
                return None  # its holder removed it meanwhile: the download went on
            size = part.stat().st_size
            if not dry_run:
                part.unlink()
                part.with_suffix(".validator").unlink(missing_ok=True)
        except FileNotFoundError:
            return None
        finally:
            _remove_lock_file(lock_file, part)
            locking.unlock(handle)
    return size


def _is_current(handle: IO[bytes], path: Path) -> bool:
    """Whether the locked ``handle`` is still the file at ``path`` (not removed meanwhile)."""
    try:
        return os.fstat(handle.fileno()).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _remove_lock_file(lock_file: Path, part: Path) -> None:
    """Remove a download's empty lock file while still holding it, once nothing is left
    to resume (a waiting process notices, see _is_current); a kept ``.part`` keeps it."""
    if not part.exists():
        with contextlib.suppress(OSError):  # Windows cannot remove an open file: kept
            lock_file.unlink(missing_ok=True)
