"""Check a package (folder, mounted stick or zip) against its SHA256SUMS."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import DamagedPackageError, IncompletePackageError
from ..layout import STICK_MARKER, SUMS_NAME
from ..stick.space import fuse_label
from .checksums import parse_sums

_CHUNK = 1024 * 1024
#: What operating systems add to a stick on their own; never part of a package.
IGNORED = frozenset(
    {
        "System Volume Information",
        ".Trashes",
        ".Spotlight-V100",
        ".fseventsd",
        "$RECYCLE.BIN",
        ".TemporaryItems",
    }
)

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    checked: int
    missing: tuple[str, ...] = ()
    corrupt: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    root: str = ""
    #: Links, FIFOs, devices and sockets: never opened (a FIFO or /dev/zero would never
    #: end), never part of a package.
    special: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.unexpected or self.special)


def _digest(handle: IO[bytes], on_bytes: Callable[[int], None] | None) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        if on_bytes:
            on_bytes(len(chunk))
    return digest.hexdigest()


def _file_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Opener:
    return lambda: archive.open(info)


def _folder_members(folder: Path) -> Iterator[tuple[str, Opener | None]]:
    """Every entry below ``folder`` by its posix name, sorted: regular files with an
    opener, anything else (a link, FIFO, device, socket) with None. Symbolic links are
    not followed; what the operating system adds to a stick is skipped."""
    label = fuse_label(folder)
    stack = [(folder, "")]
    while stack:
        here, prefix = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except OSError:
            continue  # an unreadable folder: its files are reported missing
        for entry in entries:
            name = prefix + entry.name
            if (
                (not prefix and entry.name in IGNORED)
                or entry.name.startswith("._")
                or name == label
            ):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), name + "/"))
            elif entry.is_file(follow_symlinks=False):
                yield name, _file_opener(Path(entry.path))
            else:
                yield name, None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _find_root(folder: Path) -> Path:
    """A stick may hold the package at its root or in one folder below it."""
    if _is_regular(folder / SUMS_NAME):
        return folder
    candidates = sorted(p.parent for p in folder.glob(f"*/{SUMS_NAME}") if _is_regular(p))
    if len(candidates) == 1:
        return candidates[0]
    found = f"{len(candidates)} packages" if candidates else f"no {SUMS_NAME}"
    raise DamagedPackageError(
        f"{folder}: {found} found", hint="point 'oerpack verify' at the package folder or its zip"
    )


def verify_package(path: Path, *, on_bytes: Callable[[int], None] | None = None) -> VerifyReport:
    """Compare every file with SHA256SUMS; report missing, corrupt and unexpected files.

    Raises DamagedPackageError when there is no usable SHA256SUMS or the zip cannot be read.
    """
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise DamagedPackageError(
                f"{path}: not a zip, or a damaged one", hint="copy the zip again from a good copy"
            )
        return _verify_zip(path, on_bytes)
    if not path.is_dir():
        raise DamagedPackageError(
            f"{path}: not a package folder or zip",
            hint="give the package folder, the stick or the zip",
        )
    if (path / STICK_MARKER).exists():
        raise IncompletePackageError(
            f"{path}: incomplete: a write to it was interrupted",
            hint="run the same 'oerpack write' again: it resumes where it stopped",
        )
    root = _find_root(path)
    sums_path = root / SUMS_NAME
    try:
        text = sums_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DamagedPackageError(
            f"{sums_path}: cannot be read: {exc}", hint="the checksum list itself is damaged"
        ) from None
    expected = _read_sums(text, str(sums_path))
    report = _compare(expected, _folder_members(root), on_bytes)
    return _with_root(report, str(root))


def _with_root(report: VerifyReport, root: str) -> VerifyReport:
    return VerifyReport(
        checked=report.checked,
        missing=report.missing,
        corrupt=report.corrupt,
        unexpected=report.unexpected,
        root=root,
        special=report.special,
    )


def _read_sums(text: str, source: str) -> dict[str, str]:
    try:
        sums = parse_sums(text, source=source)
    except ValueError as exc:
        raise DamagedPackageError(str(exc), hint="the checksum list itself is damaged") from None
    if not sums:
        raise DamagedPackageError(
            f"{source}: lists no files", hint="the checksum list itself is damaged"
        )
    return sums


def _verify_zip(path: Path, on_bytes: Callable[[int], None] | None) -> VerifyReport:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_readable(path, infos)
            sums_infos = sorted(
                (i for i in infos if i.filename.rsplit("/", 1)[-1] == SUMS_NAME),
                key=lambda i: len(i.filename),
            )
            if not sums_infos:
                raise DamagedPackageError(
                    f"{path}: no {SUMS_NAME} in the zip", hint="this zip is not an oerpack package"
                )
            prefix = sums_infos[0].filename[: -len(SUMS_NAME)]
            try:
                text = archive.read(sums_infos[0]).decode("utf-8")
            except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as exc:
                raise DamagedPackageError(f"{path}: {SUMS_NAME} cannot be read: {exc}") from None
            expected = _read_sums(text, f"{path}:{sums_infos[0].filename}")
            report = _compare(expected, _zip_members(archive, infos, prefix), on_bytes)
            return _with_root(report, f"{path}:{prefix}")
    except (zipfile.BadZipFile, OSError) as exc:
        raise DamagedPackageError(
            f"{path}: damaged zip: {exc}", hint="copy the zip again from a good copy"
        ) from None


#: Compression methods Python's zipfile reads; Deflate64 (9), which Windows' Explorer
#: writes for large files, is not one of them.
_READABLE_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_METHOD_NAMES = {9: "Deflate64", 14: "LZMA", 93: "Zstandard", 99: "AES"}


def _check_readable(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, in one line, a zip whose members cannot be read: encrypted ones, or ones
    compressed with a method zipfile lacks (another program re-packed the package)."""
    encrypted = [i.filename for i in infos if i.flag_bits & 0x1]
    odd = [i for i in infos if i.compress_type not in _READABLE_METHODS]
    if not encrypted and not odd:
        return
    if encrypted:
        what = f"{len(encrypted)} file(s) are encrypted (e.g. {encrypted[0]})"
    else:
        method = odd[0].compress_type
        name = _METHOD_NAMES.get(method, "an unknown method")
        what = (
            f"{len(odd)} file(s) are compressed with {name} (method {method}, "
            f"e.g. {odd[0].filename})"
        )
    raise DamagedPackageError(
        f"{path}: {what}, which oerpack cannot read; oerpack's own zips never are",
        hint="unzip it with the program that made it and run 'oerpack verify' on the "
        "folder, or copy the original zip again",
    )


def _zip_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], prefix: str
) -> Iterator[tuple[str, Opener]]:
    """Members below ``prefix`` by their package name; anything else keeps its full name
    (so it is reported as unexpected)."""
    for info in infos:
        name = info.filename
        yield (
            (name[len(prefix) :] if name.startswith(prefix) else f"/{name}"),
            _zip_opener(archive, info),
        )


def _compare(
    expected: dict[str, str],
    members: Iterable[tuple[str, Opener | None]],
    on_bytes: Callable[[int], None] | None,
) -> VerifyReport:
    counts: Counter[str] = Counter()
    corrupt: set[str] = set()
    unexpected: list[str] = []
    special: list[str] = []
    for name, opener in members:
        if name == SUMS_NAME:
            continue
        if opener is None:
            special.append(name)
            continue
        if name not in expected:
            unexpected.append(name)
            continue
        counts[name] += 1
        try:
            with opener() as handle:
                actual = _digest(handle, on_bytes)
        except (OSError, zipfile.BadZipFile, EOFError):
            actual = ""
        if actual != expected[name] or counts[name] > 1:
            corrupt.add(name)
    missing = sorted(set(expected) - set(counts) - set(special))
    return VerifyReport(
        checked=len(counts),
        missing=tuple(missing),
        corrupt=tuple(sorted(corrupt)),
        unexpected=tuple(sorted(unexpected)),
        special=tuple(sorted(special)),
    )
