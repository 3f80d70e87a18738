"""Write a package folder as a reproducible zip: sorted entries, fixed times, UTF-8 names."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
STORED_EXTS = frozenset({
    "mp4", "webm", "mp3", "m4a", "ogg", "jpg", "jpeg", "png", "gif", "zip", "gz", "pdf",
    "pptx", "docx", "odp", "epub", "h5p",
})
_COPY_CHUNK = 1024 * 1024


def package_entries(folder: Path) -> list[tuple[str, Path]]:
    """Every file below ``folder`` as ``(posix name, path)``, sorted by name."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            entries.append((path.relative_to(folder).as_posix(), path))
    return sorted(entries)


def write_zip(folder: Path, target: Path, *, root: str) -> Path:
    """Zip ``folder`` so that it unpacks to ``root/…``; written to a temporary name first.

    Media that are already compressed are stored; text is deflated. ZIP64 extensions are
    used only where a size demands them, so the same input always gives the same bytes.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            for name, path in package_entries(folder):
                ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
                info = zipfile.ZipInfo(f"{root}/{name}", date_time=ZIP_EPOCH)
                info.compress_type = (zipfile.ZIP_STORED if ext in STORED_EXTS
                                      else zipfile.ZIP_DEFLATED)
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                info.create_system = 3
                info.file_size = path.stat().st_size
                with path.open("rb") as src, archive.open(
                        info, "w", force_zip64=info.file_size >= 0xFFFFFFFF) as dst:
                    shutil.copyfileobj(src, dst, _COPY_CHUNK)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
