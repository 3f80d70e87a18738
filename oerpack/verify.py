"""Check a package (folder, mounted stick or zip) against its SHA256SUMS."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .archive import package_entries
from .checksums import SUMS_NAME, parse_sums
from .errors import DamagedPackageError

_CHUNK = 1024 * 1024
IGNORED = frozenset({"System Volume Information", ".Trashes", ".Spotlight-V100", ".fseventsd"})


@dataclass(frozen=True, slots=True)
class VerifyReport:
    checked: int
    missing: tuple[str, ...] = ()
    corrupt: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.unexpected)


def _digest(handle: BinaryIO, on_bytes: Callable[[int], None] | None) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        if on_bytes:
            on_bytes(len(chunk))
    return digest.hexdigest()


def _folder_members(folder: Path) -> Iterator[tuple[str, Callable[[], BinaryIO]]]:
    for name, path in package_entries(folder):
        if name.split("/", 1)[0] in IGNORED:
            continue
        yield name, (lambda p=path: p.open("rb"))


def _find_root(folder: Path) -> Path:
    """A stick may hold the package at its root or in one folder below it."""
    if (folder / SUMS_NAME).is_file():
        return folder
    candidates = sorted(p.parent for p in folder.glob(f"*/{SUMS_NAME}"))
    if len(candidates) == 1:
        return candidates[0]
    raise DamagedPackageError(f"{folder}: no {SUMS_NAME} found",
                              hint="point 'oerpack verify' at the package folder or its zip")


def verify_package(path: Path, *,
                   on_bytes: Callable[[int], None] | None = None) -> VerifyReport:
    """Compare every file with SHA256SUMS; report missing, corrupt and unexpected files."""
    if path.is_file() and zipfile.is_zipfile(path):
        return _verify_zip(path, on_bytes)
    if not path.is_dir():
        raise DamagedPackageError(f"{path}: not a package folder or zip",
                                  hint="give the package folder, the stick's mount point or the zip")
    root = _find_root(path)
    expected = _read_sums((root / SUMS_NAME).read_text(encoding="utf-8"), str(root / SUMS_NAME))
    return _compare(expected, _folder_members(root), on_bytes)


def _read_sums(text: str, source: str) -> dict[str, str]:
    try:
        return parse_sums(text, source=source)
    except ValueError as exc:
        raise DamagedPackageError(str(exc), hint="the checksum list itself is damaged") from None


def _verify_zip(path: Path, on_bytes: Callable[[int], None] | None) -> VerifyReport:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
            sums_names = sorted((n for n in names if n.rsplit("/", 1)[-1] == SUMS_NAME),
                                key=len)
            if not sums_names:
                raise DamagedPackageError(f"{path}: no {SUMS_NAME} in the zip")
            prefix = sums_names[0][: -len(SUMS_NAME)]
            expected = _read_sums(archive.read(sums_names[0]).decode("utf-8"),
                                  f"{path}:{sums_names[0]}")
            members = ((n[len(prefix):], (lambda n=n: archive.open(n)))
                       for n in names if n.startswith(prefix))
            return _compare(expected, members, on_bytes)
    except zipfile.BadZipFile as exc:
        raise DamagedPackageError(f"{path}: damaged zip: {exc}") from None


def _compare(expected: dict[str, str], members: Iterator[tuple[str, Callable[[], BinaryIO]]],
             on_bytes: Callable[[int], None] | None) -> VerifyReport:
    seen: set[str] = set()
    corrupt: list[str] = []
    unexpected: list[str] = []
    for name, opener in members:
        if name == SUMS_NAME:
            continue
        if name not in expected:
            unexpected.append(name)
            continue
        seen.add(name)
        try:
            with opener() as handle:
                actual = _digest(handle, on_bytes)
        except (OSError, zipfile.BadZipFile):
            actual = ""
        if actual != expected[name]:
            corrupt.append(name)
    missing = sorted(set(expected) - seen)
    return VerifyReport(checked=len(seen), missing=tuple(missing), corrupt=tuple(sorted(corrupt)),
                        unexpected=tuple(sorted(unexpected)))
