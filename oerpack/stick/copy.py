"""Effects on a target: copy a file through a temporary name (hashing the source on the way),
delete files, keep every path inside the target."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from .. import atomic
from ..errors import DamagedPackageError, PackageError
from .image import Entry

CHUNK = 1024 * 1024
OnBytes = Callable[[int], None]


def inside(root: Path, name: str) -> Path:
    """``root/name``, refusing any name (or symlinked folder) that would lead outside."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or not pure.parts:
        raise PackageError(f"{name!r}: not a path inside the target")
    path = root.joinpath(*pure.parts)
    parent = path.parent.resolve()
    base = root.resolve()
    if parent != base and base not in parent.parents:
        raise PackageError(f"{name}: leads outside the target {root} (a symlink?)")
    return path


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def gone(root: Path) -> PackageError:
    return PackageError(
        f"{root}: the stick is gone (unmounted or pulled)",
        hint="plug it in again and run the same command: it resumes",
    )


def _make_parents(root: Path, folder: Path, device: int | None) -> None:
    """Create ``folder`` below ``root`` one level at a time, each only on ``device``: when a
    stick is unmounted its folder is on the computer's own disk, and nothing goes there."""
    missing = []
    while folder != root and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        if device is not None and os.stat(path.parent).st_dev != device:
            raise gone(root)
        path.mkdir(exist_ok=True)


def copy_entry(
    entry: Entry, root: Path, *, on_bytes: OnBytes | None = None, device: int | None = None
) -> None:
    """Write ``entry`` to ``root`` whole or not at all: a new file under a temporary name,
    synced, then renamed over the old one (FAT through FUSE cannot rewrite a file in place).
    The source is hashed on the way, so a damaged package never reaches a stick. With
    ``device``, nothing is written unless it lands on that device."""
    dest = inside(root, entry.name)
    digest = hashlib.sha256()
    _make_parents(root, dest.parent, device)
    with atomic.replacing(dest) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if device is not None and os.fstat(fd).st_dev != device:
                raise gone(root)
            for chunk in _chunks(entry):
                digest.update(chunk)
                _write_all(fd, chunk)
                if on_bytes:
                    on_bytes(len(chunk))
        finally:
            os.close(fd)
        if digest.hexdigest() != entry.sha256:
            raise DamagedPackageError(
                f"{entry.source}: does not match its package's SHA256SUMS",
                hint="the source package is damaged: run 'oerpack verify' on it, build again",
            )


def _chunks(entry: Entry) -> Iterator[bytes]:
    if entry.data is not None:
        yield entry.data
        return
    assert entry.source is not None
    with entry.source.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            yield chunk


def delete_files(root: Path, names: list[str] | tuple[str, ...]) -> None:
    """Remove ``names`` and the folders they leave empty."""
    folders: set[Path] = set()
    for name in names:
        path = inside(root, name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        folders.update(p for p in path.parents if p != root and root in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries; not every file system (FAT through FUSE) allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes(root: Path, name: str, data: bytes) -> None:
    """A small file written whole or not at all."""
    copy_entry(
        Entry(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data),
        root,
    )
