"""Will the downloads and the package fit? Compare expected sizes with free space per
filesystem before the first byte is fetched."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import DiskFullError, DiskSpaceError

#: Room left free for file-system metadata, lock files and the viewer.
MARGIN = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SpaceNeed:
    """``size`` bytes are about to be written below ``path`` (which may not exist yet)."""

    path: Path
    size: int
    why: str


def existing_ancestor(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (whose file system will hold it)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_space(needs: Iterable[SpaceNeed], *, margin: int = MARGIN) -> None:
    """Raise DiskSpaceError when the needs of any one file system exceed its free space."""
    by_device: dict[int, tuple[Path, int, list[str]]] = {}
    for need in needs:
        if need.size <= 0:
            continue
        anchor = existing_ancestor(need.path)
        device = os.stat(anchor).st_dev
        where, total, why = by_device.get(device, (anchor, 0, []))
        by_device[device] = (where, total + need.size, [*why, need.why])
    for where, total, why in by_device.values():
        free = shutil.disk_usage(where).free
        if total + margin > free:
            raise DiskSpaceError(
                path=where, needed=total + margin, free=free, what=" + ".join(dict.fromkeys(why))
            )


def is_disk_full(error: OSError) -> bool:
    """Whether ``error`` says the file system or the user's quota is full."""
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(existing_ancestor(path)).free
    except OSError:
        return 0


@contextmanager
def disk_full_as(folder: Path, what: str, needed: int | None = None) -> Iterator[None]:
    """Turn "no space left" inside the block into a DiskFullError naming ``folder`` and the
    bytes ``needed`` (None when unknown); every other error passes unchanged."""
    try:
        yield
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        raise DiskFullError(path=folder, what=what, needed=needed, free=free_bytes(folder)) from exc
