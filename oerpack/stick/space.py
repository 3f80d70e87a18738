"""What a target is (mount, file system, label, UUID, capacity, free space) and whether a
stick image can go on it: FAT32 names and file sizes, space with cluster rounding."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DoesNotFitError, PackageError
from ..package.target import CLUSTER, FAT32_MAX_FILE, name_problems
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
    #: How ``free`` was found: statvfs, or the FAT32 image where statvfs reports 0.
    free_from: str = "statvfs"

    @property
    def fat(self) -> bool:
        return self.fstype in FAT_TYPES

    def describe_free(self) -> str:
        if self.free is None:
            return (
                f"free space unknown ({self.fstype} reports none); "
                "a full stick stops the write with an error"
            )
        return f"{human_size(self.free)} free ({self.free_from})"


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


@dataclass(frozen=True, slots=True)
class FatVolume:
    """What a FAT32 boot sector and FSInfo sector say (free space as of the last unmount
    or FSInfo update)."""

    label: str
    serial: str
    cluster: int
    capacity: int
    free: int | None


def read_fat32(image: Path) -> FatVolume | None:
    try:
        with image.open("rb") as handle:
            boot = handle.read(512)
            sector, per_cluster, reserved, fats = struct.unpack_from("<HBHB", boot, 11)
            total, fat_size = struct.unpack_from("<II", boot, 32)
            (info_sector,) = struct.unpack_from("<H", boot, 48)
            (serial,) = struct.unpack_from("<I", boot, 67)
            handle.seek(info_sector * sector + 488)
            (free,) = struct.unpack("<I", handle.read(4))
    except (OSError, struct.error):
        return None
    if boot[82:87] != b"FAT32" or not sector or not per_cluster:
        return None
    cluster = sector * per_cluster
    clusters = (total - reserved - fats * fat_size) // per_cluster
    label = boot[71:82].decode("ascii", "replace").strip()
    return FatVolume(
        label="" if label == "NO NAME" else label,
        serial=f"{serial >> 16:04X}-{serial & 0xFFFF:04X}",
        cluster=cluster,
        capacity=clusters * cluster,
        free=None if free == 0xFFFFFFFF or free > clusters else free * cluster,
    )


def fusefat_image(mount: Path) -> Path | None:
    """The image a running fusefat serves at ``mount``, from its command line (relative
    paths against the folder it was started in: it changes to / when it detaches)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = [a.decode() for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
            if not args or not args[0].endswith("fusefat"):
                continue
            env = dict(
                e.decode().partition("=")[::2]
                for e in (proc / "environ").read_bytes().split(b"\0")
                if b"=" in e
            )
        except (OSError, UnicodeDecodeError):
            continue
        plain = [a for i, a in enumerate(args[1:], 1) if args[i - 1] != "-o" and a[0] != "-"]
        base = Path(env.get("PWD", "/"))
        if len(plain) >= 2 and (base / plain[-1]).resolve() == mount.resolve():
            return base / plain[-2]
    return None


def fuse_label(folder: Path) -> str:
    """The volume label fusefat shows as an empty file at the root of ``folder`` (if any)."""
    mount, fstype, _ = _mount_of(folder)
    if fstype != "fuse.fusefat" or mount != folder.resolve():
        return ""
    image = fusefat_image(mount)
    volume = read_fat32(image) if image else None
    return volume.label if volume else ""


def inspect_target(path: Path) -> TargetInfo:
    """Where statvfs reports nothing (FAT through FUSE), the FAT32 image is read instead."""
    mount, fstype, device = _mount_of(path)
    stats = os.statvfs(path)
    known = stats.f_blocks > 0
    image = fusefat_image(mount) if fstype == "fuse.fusefat" else None
    volume = read_fat32(image) if image else None
    if volume is not None:
        return TargetInfo(
            path=path,
            mount=mount,
            fstype=fstype,
            device=str(image),
            label=volume.label or path.name,
            uuid=volume.serial,
            capacity=volume.capacity,
            free=volume.free,
            cluster=volume.cluster,
            free_from="the FAT32 image's FSInfo sector",
        )
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
        free_from="statvfs" if known else "",
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
