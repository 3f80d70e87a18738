"""Will the downloads and the package fit? Compare expected sizes with free space per
filesystem before the first byte is fetched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import DiskSpaceError

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
