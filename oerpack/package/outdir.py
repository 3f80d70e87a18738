"""The output folder around a package: the temporary names a build writes under, one build
per package at a time, and removing what killed builds left behind."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import atomic, layout, locking
from ..errors import PackageError

log = logging.getLogger(__name__)


def staging_folder(out_dir: Path, package_id: str, pid: int | None = None) -> Path:
    """Where a build writes the package folder before swapping it in."""
    return out_dir / f".{package_id}.building-{os.getpid() if pid is None else pid}"


def old_folder(out_dir: Path, package_id: str, pid: int | None = None) -> Path:
    """Where the previous package folder waits, during the swap, to be removed."""
    return out_dir / f".{package_id}.old-{os.getpid() if pid is None else pid}"


def _lock_file(out_dir: Path, package_id: str) -> Path:
    return out_dir / f".{package_id}.lock"


@dataclass(frozen=True, slots=True)
class Leftover:
    """A temporary folder or zip of the build process ``pid``."""

    path: Path
    pid: int


def leftovers(out_dir: Path, package_id: str) -> list[Leftover]:
    """The temporary folders and zips of ``package_id``'s builds in ``out_dir``."""
    folders = re.compile(rf"\.{re.escape(package_id)}\.(?:building|old)-(\d+)", re.ASCII)
    zip_temp = f".{layout.zip_name(package_id)}."
    found = []
    try:
        entries = sorted(os.scandir(out_dir), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for entry in entries:
        if match := folders.fullmatch(entry.name):
            found.append(Leftover(Path(entry.path), int(match.group(1))))
        elif entry.name.startswith(zip_temp) and (pid := atomic.writer_pid(entry.name)):
            found.append(Leftover(Path(entry.path), pid))
    return found


def remove_dead_leftovers(out_dir: Path, package_id: str) -> int:
    """Remove temporary folders and zips whose build process is gone; bytes freed.

    Call it holding ``one_build`` for the package: no live oerpack build of it then owns a
    temporary name, and a name whose PID still runs (another program reusing that PID) is
    left alone all the same."""
    freed = 0
    for leftover in leftovers(out_dir, package_id):
        if leftover.pid == os.getpid() or locking.process_alive(leftover.pid):
            log.info("%s: kept, process %d is running", leftover.path, leftover.pid)
            continue
        freed += _size(leftover.path)
        if leftover.path.is_dir() and not leftover.path.is_symlink():
            shutil.rmtree(leftover.path, ignore_errors=True)
        else:
            leftover.path.unlink(missing_ok=True)
        log.info("removed %s, left by a build that was killed", leftover.path)
    return freed


def _size(path: Path) -> int:
    if not path.is_dir() or path.is_symlink():
        return path.lstat().st_size
    return sum(
        (Path(top) / name).lstat().st_size for top, _, names in os.walk(path) for name in names
    )


@contextlib.contextmanager
def one_build(out_dir: Path, package_id: str) -> Iterator[None]:
    """Hold the package's lock in ``out_dir`` (released by the kernel if the process dies)."""
    with _lock_file(out_dir, package_id).open("a+b") as handle:
        if not locking.try_lock(handle):
            raise PackageError(
                f"another oerpack build is writing {out_dir / package_id} now",
                hint="wait for it to finish, or build into another --out folder",
            )
        try:
            yield
        finally:
            locking.unlock(handle)


def stale_zip_beside(folder: Path) -> Path | None:
    """The zip beside a built package folder (``OUT/<id>.zip``) when it holds another build
    than the folder: a build killed between its two renames leaves them apart."""
    from .archive import fingerprint_of, zip_is_current

    target = folder.with_name(layout.zip_name(folder.name))
    sums = folder / layout.SUMS_NAME
    if not (target.is_file() and sums.is_file()):
        return None
    current = zip_is_current(target, folder, root=folder.name, fingerprint=fingerprint_of(sums))
    return None if current else target
