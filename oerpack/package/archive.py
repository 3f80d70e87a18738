"""Write a package folder as a reproducible zip: sorted entries, fixed times, UTF-8 names."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

from .. import atomic
from ..filetypes import file_type, is_stored

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Bump when the zip layout changes, so an old zip is never reused for a new layout.
ZIP_FORMAT = "oerpack-zip-2"  # 2: unknown types stored when incompressible
_COPY_CHUNK = 1024 * 1024
_SAMPLE = 1024 * 1024


def package_entries(folder: Path) -> list[tuple[str, Path]]:
    """Every file below ``folder`` as ``(posix name, path)``, sorted by name."""
    entries: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        relative = os.path.relpath(dirpath, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        base = Path(dirpath)
        entries.extend((prefix + name, base / name) for name in filenames)
    return sorted(entries)


def zip_comment(fingerprint: str) -> bytes:
    """The zip comment that names the exact content of a zip (a digest of its SHA256SUMS)."""
    return f"{ZIP_FORMAT} {fingerprint}".encode("ascii")


def fingerprint_of(sums_file: Path) -> str:
    return hashlib.sha256(sums_file.read_bytes()).hexdigest()


def zip_is_current(target: Path, folder: Path, *, root: str, fingerprint: str) -> bool:
    """Whether ``target`` already holds exactly ``folder``: same comment, names and sizes.

    Its bytes are not re-read here; ``oerpack verify`` on the zip does that.
    """
    try:
        with zipfile.ZipFile(target) as archive:
            if archive.comment != zip_comment(fingerprint):
                return False
            listed = [(i.filename, i.file_size) for i in archive.infolist()]
    except (OSError, zipfile.BadZipFile):
        return False
    wanted = [(f"{root}/{name}", path.stat().st_size) for name, path in package_entries(folder)]
    return listed == wanted


def _info(name: str, size: int, path: Path | None = None) -> zipfile.ZipInfo:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    stored = is_stored(ext) if file_type(ext) is not None or path is None else _incompressible(path)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.create_system = 3
    info.file_size = size
    return info


def _incompressible(path: Path) -> bool:
    """For a type the file-type table does not know (``.bin``, say): whether its first MiB
    deflates by less than a tenth. Deflating a 4 GiB recording under an odd name costs minutes
    and makes it bigger; the sample depends only on the bytes, so the zip stays reproducible."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
    return len(zlib.compress(sample, 6)) >= len(sample) * 0.9


def write_zip(folder: Path, target: Path, *, root: str, fingerprint: str | None = None) -> Path:
    """Zip ``folder`` so that it unpacks to ``root/…``; written to a temporary name first."""
    with atomic.replacing(target) as tmp:
        write_zip_file(folder, tmp, root=root, fingerprint=fingerprint)
    return target


def write_zip_file(folder: Path, dest: Path, *, root: str, fingerprint: str | None = None) -> None:
    """Zip ``folder`` into ``dest`` (a temporary name: the caller puts it in place).

    Media that are already compressed are stored; text is deflated. zipfile flags every
    non-ASCII name as UTF-8 (bit 11) in both headers; ASCII names need no flag. ZIP64
    extensions are used where a size or count demands them (the decision
    depends only on sizes), so the same input always gives the same bytes. ``fingerprint``
    goes into the zip comment so an unchanged rebuild can keep the zip.
    """
    with zipfile.ZipFile(dest, "w", allowZip64=True) as archive:
        for name, path in package_entries(folder):
            info = _info(f"{root}/{name}", path.stat().st_size, path)
            with (
                path.open("rb") as src,
                archive.open(info, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as dst,
            ):
                shutil.copyfileobj(src, dst, _COPY_CHUNK)
        if fingerprint is not None:
            archive.comment = zip_comment(fingerprint)
