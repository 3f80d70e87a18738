"""What a target is (mount, file system, label, UUID, capacity, free space) and whether a
stick image can go on it: FAT32 names and file sizes, space with cluster rounding."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DoesNotFitError, PackageError
from ..target import CLUSTER, FAT32_MAX_FILE, name_problems
from ..units import human_size
from .image import StickImage

FAT_TYPES = frozenset({"vfat", "msdos", "fat", "fuse.fusefat", "fusefat"})
_BY = Path("/dev/disk")


@dataclass(frozen=True, slots=True)
class TargetInfo:
    path: Path
    mount: Path
    fstype: str
    device: str
    label: str
    uuid: str
    #: Bytes, or None when the file system does not say (FAT through FUSE reports 0).
    capacity: int | None
    free: int | None
    cluster: int

    @property
    def fat(self) -> bool:
        return self.fstype in FAT_TYPES

    def describe_free(self) -> str:
        if self.free is None:
            return (
                f"free space unknown ({self.fstype} reports none); "
                "a full stick stops the write with an error"
            )
        return f"{human_size(self.free)} free"


def _mount_of(path: Path) -> tuple[Path, str, str]:
    """Mount point, file system type and source of the mount holding ``path``."""
    best: tuple[Path, str, str] = (Path("/"), "", "")
    resolved = path.resolve()
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return best
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 2:
            continue
        point = Path(fields[4].replace("\\040", " "))
        if (point == resolved or point in resolved.parents) and len(point.parts) >= len(
            best[0].parts
        ):
            best = (point, tail[0], tail[1])
    return best


def _link_name(kind: str, device: str) -> str:
    """The label or UUID udev links to ``device`` (empty when there is none)."""
    folder = _BY / kind
    if not device.startswith("/dev/") or not folder.is_dir():
        return ""
    target = os.path.realpath(device)
    for link in sorted(folder.iterdir()):
        if os.path.realpath(link) == target:
            return link.name.replace("\\x20", " ")
    return ""


def inspect_target(path: Path) -> TargetInfo:
    mount, fstype, device = _mount_of(path)
    stats = os.statvfs(path)
    known = stats.f_blocks > 0
    return TargetInfo(
        path=path,
        mount=mount,
        fstype=fstype,
        device=device,
        label=_link_name("by-label", device) or path.name,
        uuid=_link_name("by-uuid", device),
        capacity=stats.f_blocks * stats.f_frsize if known else None,
        free=stats.f_bavail * stats.f_frsize if known else None,
        cluster=CLUSTER if fstype in FAT_TYPES or not known else max(stats.f_bsize, 512),
    )


def check_image_names(image: StickImage) -> None:
    """Every name valid on FAT32 and Windows, checked once for all targets."""
    problems = name_problems(e.name for e in image.all)
    if problems:
        raise PackageError(
            f"{len(problems)} name(s) not valid on FAT32/Windows: " + "; ".join(problems[:3]),
            hint="rebuild the package with a current oerpack",
        )


def check_fits(info: TargetInfo, sizes: Iterable[int], space_needed: int) -> None:
    large = [s for s in sizes if s > FAT32_MAX_FILE]
    if info.fat and large:
        raise DoesNotFitError(
            f"{info.path}: {len(large)} file(s) of 4 GiB or more cannot be stored on FAT32",
            hint="use an exFAT stick or rebuild with a smaller video profile",
        )
    if info.free is not None and space_needed > info.free:
        raise DoesNotFitError(
            f"{info.path}: needs {human_size(space_needed)} more, {human_size(info.free)} free",
            hint="use a larger stick, or fewer packages on it",
        )
