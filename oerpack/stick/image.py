"""What a stick must hold: finished packages read from their SHA256SUMS and oerpack.json,
laid out for one package (the package at the stick's root) or several (one folder each, a
shared KOLIBRI_DATA and a home page)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DamagedPackageError, PackageError
from ..layout import KOLIBRI_DIR, RECORD_NAME, STICK_RECORD, SUMS_NAME
from ..package.checksums import format_sums, parse_sums

#: A link into the package's KOLIBRI_DATA inside an attribute or a JSON string.
_STORAGE_LINK = re.compile(r"""(?<=["'])((?:\.\./)*)""" + KOLIBRI_DIR + "/")
_RELOCATED = (".html", ".js")


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the stick: copied from ``source`` or written from ``data``."""

    name: str
    size: int
    sha256: str
    source: Path | None = None
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class PackageInfo:
    id: str
    folder: Path
    title: dict[str, str]
    languages: tuple[str, ...]
    dates: tuple[str, str] | None
    size: int
    channel_id: str
    channel_version: int
    sums: dict[str, str]


@dataclass(frozen=True, slots=True)
class StickImage:
    """``entries`` are written first (sorted), ``finals`` last and in order: a stick without
    its final SHA256SUMS is never mistaken for a finished one."""

    packages: tuple[PackageInfo, ...]
    entries: tuple[Entry, ...]
    finals: tuple[Entry, ...]

    @property
    def all(self) -> tuple[Entry, ...]:
        return self.entries + self.finals

    @property
    def size(self) -> int:
        return sum(e.size for e in self.all)


def is_package(folder: Path) -> bool:
    return (folder / SUMS_NAME).is_file() and (folder / RECORD_NAME).is_file()


def find_packages(source: Path, only: Sequence[str] = ()) -> list[Path]:
    """``source`` itself when it is a finished package, else the packages in it (dist/)."""
    if is_package(source):
        found = [source]
    else:
        found = sorted(
            p
            for p in source.iterdir()
            if p.is_dir() and not p.name.startswith(".") and is_package(p)
        )
    if only:
        by_id = {p.name: p for p in found}
        missing = [i for i in only if i not in by_id]
        if missing:
            raise PackageError(
                f"{source}: no finished package {', '.join(missing)}",
                hint=f"packages there: {', '.join(sorted(by_id)) or 'none'}",
            )
        found = [by_id[i] for i in only]
    if not found:
        raise PackageError(
            f"{source}: not a finished package ({SUMS_NAME} and {RECORD_NAME}), "
            "nor a folder of them",
            hint="run 'oerpack build MANIFEST' first and give its dist/<id> folder",
        )
    return found


def read_package(folder: Path) -> PackageInfo:
    """The package's own record and checksum list; every listed file must be there."""
    try:
        sums = parse_sums((folder / SUMS_NAME).read_text(encoding="utf-8"), source=str(folder))
        record: dict[str, Any] = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DamagedPackageError(
            f"{folder}: cannot read the package: {exc}", hint="build the package again"
        ) from None
    size = 0
    for name in sums:
        path = folder / name
        if not path.is_file():
            raise DamagedPackageError(
                f"{folder}: {name} is listed in {SUMS_NAME} but missing",
                hint=f"run 'oerpack verify {folder}', then build the package again",
            )
        size += path.stat().st_size
    event = record.get("event") or {}
    dates = event.get("dates")
    return PackageInfo(
        id=folder.name,
        folder=folder,
        title=dict(event.get("title") or {"en": folder.name}),
        languages=tuple(event.get("languages") or ()),
        dates=(dates[0], dates[1]) if dates else None,
        size=size + (folder / SUMS_NAME).stat().st_size,
        channel_id=str(record["channel"]["id"]),
        channel_version=int(record["channel"]["version"]),
        sums=sums,
    )


def relocate(text: bytes) -> bytes:
    """Links of a viewer moved one folder down still reach the stick's shared KOLIBRI_DATA."""
    return _STORAGE_LINK.sub(
        lambda m: "../" + m.group(1) + KOLIBRI_DIR + "/", text.decode("utf-8")
    ).encode("utf-8")


def _file_entry(name: str, path: Path, sha256: str) -> Entry:
    return Entry(name=name, size=path.stat().st_size, sha256=sha256, source=path)


def _data_entry(name: str, data: bytes) -> Entry:
    return Entry(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data)


def single_image(package: PackageInfo) -> StickImage:
    """One package: the stick is the package, byte for byte."""
    finals = {RECORD_NAME, SUMS_NAME}
    entries = tuple(
        _file_entry(name, package.folder / name, sha)
        for name, sha in sorted(package.sums.items())
        if name not in finals
    )
    sums_path = package.folder / SUMS_NAME
    last = (
        _file_entry(RECORD_NAME, package.folder / RECORD_NAME, package.sums[RECORD_NAME]),
        _data_entry(SUMS_NAME, sums_path.read_bytes()),
    )
    return StickImage(packages=(package,), entries=entries, finals=last)


def _relocated_entry(name: str, path: Path, sha256: str) -> Entry:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DamagedPackageError(
            f"{path}: does not match its package's {SUMS_NAME}",
            hint="build the package again",
        )
    return _data_entry(name, relocate(data))


def _package_entries(package: PackageInfo, shared: dict[str, Entry]) -> list[Entry]:
    entries = []
    for name, sha in sorted(package.sums.items()):
        path = package.folder / name
        if name.startswith(KOLIBRI_DIR + "/"):
            known = shared.get(name)
            if known is not None and known.sha256 != sha:
                raise PackageError(
                    f"{name}: differs between packages on one stick",
                    hint="Kolibri names files by content, so this package is damaged",
                )
            shared[name] = _file_entry(name, path, sha)
        elif name == RECORD_NAME:
            continue
        elif name.endswith(_RELOCATED):
            entries.append(_relocated_entry(f"{package.id}/{name}", path, sha))
        else:
            entries.append(_file_entry(f"{package.id}/{name}", path, sha))
    return entries


def multi_image(packages: Sequence[PackageInfo], home_page: bytes) -> StickImage:
    """Several packages: ``<id>/`` each (viewer, pages, README), one KOLIBRI_DATA for all
    (media shared between channels stored once), a home page and a stick record."""
    ids = [p.id for p in packages]
    if len(set(ids)) != len(ids):
        raise PackageError(f"the same package twice: {', '.join(ids)}")
    shared: dict[str, Entry] = {}
    entries: list[Entry] = [_data_entry("index.html", home_page)]
    for package in packages:
        entries.extend(_package_entries(package, shared))
    entries.extend(shared.values())
    entries.sort(key=lambda e: e.name)
    records = [
        _file_entry(f"{p.id}/{RECORD_NAME}", p.folder / RECORD_NAME, p.sums[RECORD_NAME])
        for p in packages
    ]
    stick_record = _data_entry(STICK_RECORD, stick_record_bytes(packages))
    sums = {e.name: e.sha256 for e in (*entries, *records, stick_record)}
    finals = (*records, stick_record, _data_entry(SUMS_NAME, format_sums(sums).encode()))
    return StickImage(packages=tuple(packages), entries=tuple(entries), finals=finals)


def stick_record_bytes(packages: Sequence[PackageInfo]) -> bytes:
    record = {
        "packages": [
            {
                "id": p.id,
                "title": p.title,
                "languages": list(p.languages),
                "dates": list(p.dates) if p.dates else None,
                "size": p.size,
                "channel": {"id": p.channel_id, "version": p.channel_version},
                "viewer": f"{p.id}/index.html",
            }
            for p in packages
        ]
    }
    return (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
