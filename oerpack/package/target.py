"""Pure checks against the medium a package is copied to: FAT32/Windows names, the 4 GiB
file limit and whether the package fits a stick of a given size."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import DoesNotFitError, PackageError
from ..fatnames import component_ok

FAT32_MAX_FILE = 4 * 1024**3 - 1
#: FAT32 cluster size Windows uses for volumes of 8-32 GB; files are rounded up to it.
CLUSTER = 32 * 1024
#: Share of a stick's labelled size kept back for the file system and vendor rounding.
RESERVE = 0.03
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "k": 10**3,
    "m": 10**6,
    "g": 10**9,
    "t": 10**12,
    "ki": 2**10,
    "mi": 2**20,
    "gi": 2**30,
    "ti": 2**40,
}


def parse_size(text: str) -> int:
    """``8GB`` → 8_000_000_000 (sticks are sold in decimal units); ``8GiB`` is binary."""
    match = _SIZE.match(text)
    if not match:
        raise PackageError(
            f"{text!r} is not a size", hint="write it like 8GB, 16GB, 7.5GiB or 900MB"
        )
    return int(float(match.group(1)) * _UNITS[match.group(2).lower().rstrip("b")])


def name_problems(names: Iterable[str]) -> list[str]:
    """Why each problematic relative posix path cannot be written to FAT32 or Windows."""
    problems = []
    seen: dict[str, str] = {}
    for name in names:
        for part in name.split("/"):
            if not component_ok(part):
                problems.append(f"{name}: {part!r} is not a valid FAT32/Windows name")
        folded = name.casefold()
        if folded in seen:
            problems.append(f"{name}: differs only in case from {seen[folded]}")
        seen[folded] = name
    return problems


def check_file_sizes(
    sizes: Iterable[tuple[str, int]], *, allow_large_files: bool, limit: int = FAT32_MAX_FILE
) -> None:
    """Refuse files FAT32 cannot hold unless the caller opted in."""
    large = [name for name, size in sizes if size > limit]
    if large and not allow_large_files:
        raise DoesNotFitError(
            f"{len(large)} file(s) are 4 GiB or larger and cannot be stored on FAT32: "
            + ", ".join(large[:3]),
            hint="re-encode them smaller, or pass --allow-large-files for exFAT/NTFS sticks",
        )


def check_names(names: Iterable[str]) -> None:
    problems = name_problems(names)
    if problems:
        raise PackageError(
            f"{len(problems)} name(s) not valid on FAT32/Windows: " + "; ".join(problems[:3])
        )


@dataclass(frozen=True, slots=True)
class FitReport:
    """How a package compares with a stick of ``target`` bytes (labelled size)."""

    target: int
    needed: int
    usable: int
    #: Files of 4 GiB or more (allowed with --allow-large-files): no FAT32 stick holds them.
    large_files: int = 0

    @property
    def fits(self) -> bool:
        return self.needed <= self.usable

    def describe(self) -> str:
        verdict = (
            f"fits, {_gb(self.usable - self.needed)} to spare"
            if self.fits
            else f"does NOT fit: {_gb(self.needed - self.usable)} too much"
        )
        if self.large_files:
            return (
                f"needs {_gb(self.needed)}, with {self.large_files} file(s) of 4 GiB or more "
                f"that FAT32 cannot hold (use an exFAT or NTFS stick); a {_gb(self.target)} "
                f"stick holds about {_gb(self.usable)}: {verdict}"
            )
        return (
            f"needs {_gb(self.needed)} on FAT32; a {_gb(self.target)} stick holds about "
            f"{_gb(self.usable)}: {verdict}"
        )


def _gb(size: int) -> str:
    return f"{size / 1000**3:.2f} GB" if size >= 1000**3 else f"{size / 1000**2:.1f} MB"


def on_fat32(size: int) -> int:
    """Bytes a file of ``size`` takes on FAT32: whole clusters (an empty file takes none)."""
    return -(-size // CLUSTER) * CLUSTER if size else 0


def fit_report(sizes: Iterable[int], target: int) -> FitReport:
    """Space on FAT32 (each file rounded up to a cluster) against the stick's usable space."""
    listed = list(sizes)
    return FitReport(
        target=target,
        needed=sum(on_fat32(size) for size in listed),
        usable=int(target * (1 - RESERVE)),
        large_files=sum(1 for size in listed if size > FAT32_MAX_FILE),
    )


def check_fits(report: FitReport) -> None:
    if not report.fits:
        raise DoesNotFitError(
            f"the package {report.describe()}", hint="use a larger stick or leave out some sources"
        )
