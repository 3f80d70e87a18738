"""Assemble a package folder from a plan and verified blobs, then zip it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .archive import package_entries, write_zip
from .checksums import SUMS_NAME, write_sums
from .errors import ChecksumError, PackageError
from .media.mp4 import video_duration
from .models import Blob
from .pdf import read_pdf
from .plan import Plan
from .viewer import MediaInfo, render_viewer

log = logging.getLogger(__name__)
RECORD_NAME = "oerpack.json"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackageResult:
    folder: Path
    zip_path: Path | None
    files: int
    bytes: int


def copy_verified(src: Path, dest: Path, *, sha256: str, key: str) -> None:
    """Copy ``src`` to ``dest`` through a temporary name, checking sha256 on the way."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    digest = hashlib.sha256()
    with src.open("rb") as reader, tmp.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    if digest.hexdigest() != sha256:
        tmp.unlink(missing_ok=True)
        raise ChecksumError(key=key, what="sha256", expected=sha256, actual=digest.hexdigest(),
                            url=str(src))
    os.replace(tmp, dest)


def build_record(plan: Plan) -> dict[str, Any]:
    """The machine-readable description of a package (no timestamps: it is reproducible)."""
    manifest = plan.manifest
    return {
        "oerpack": __version__,
        "manifest": manifest.event.id,
        "channel": {"id": plan.channel_id, "version": plan.channel_version},
        "content_hash": plan.content_hash,
        "items": [
            {"id": item.id, "kind": item.kind, "title": item.title.as_dict(),
             "files": [f.key for f in plan.files_of(item)]}
            for item in manifest.all_items()
        ],
        "files": [
            {"key": f.key, "path": f.dest, "size": f.size, "sha256": f.sha256, "md5": f.md5,
             "lang": f.lang, "media": f.media}
            for f in plan.files
        ],
    }


def _swap_into_place(staging: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def assemble(plan: Plan, blobs: Mapping[str, Blob], out_dir: Path, *, make_zip: bool = True,
             on_step: Callable[[str], None] | None = None) -> PackageResult:
    """Write ``out_dir/<id>/`` (and ``out_dir/<id>.zip``) for ``plan``.

    The folder is built under a temporary name and swapped in only when complete.
    """
    step = on_step or (lambda message: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / plan.package_id
    staging = out_dir / f".{plan.package_id}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        known: dict[str, str] = {}
        media: dict[str, MediaInfo] = {}
        step("copying media")
        for package_file in plan.files:
            blob = blobs.get(package_file.key)
            if blob is None:
                raise PackageError(f"{package_file.key}: no fetched file to package")
            target = staging / package_file.dest
            if package_file.dest not in known:
                copy_verified(blob.path, target, sha256=package_file.sha256,
                              key=package_file.key)
                known[package_file.dest] = package_file.sha256
            if package_file.media == "document" and package_file.ext == "pdf":
                media[package_file.key] = MediaInfo(pdf=read_pdf(target))
            elif package_file.media == "video" and package_file.ext in ("mp4", "m4v", "mov"):
                media[package_file.key] = MediaInfo(duration=video_duration(target))
        step("rendering the viewer")
        render_viewer(plan, media, staging)
        (staging / RECORD_NAME).write_text(
            json.dumps(build_record(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8")
        names = [name for name, _ in package_entries(staging) if name != SUMS_NAME]
        write_sums(staging, names, known)
        _swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    zip_path = None
    if make_zip:
        step("writing the zip")
        zip_path = write_zip(final, out_dir / f"{plan.package_id}.zip", root=plan.package_id)
    entries = package_entries(final)
    return PackageResult(folder=final, zip_path=zip_path, files=len(entries),
                         bytes=sum(path.stat().st_size for _, path in entries))
