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

from .. import __version__, atomic
from ..diskspace import disk_full_as
from ..errors import ChecksumError, PackageError
from ..kolibri import Channel, build_channel, channel_db_path, write_channel_db
from ..layout import README_NAME, RECORD_NAME, SUMS_NAME, zip_name
from ..models import Blob, Event, Section
from ..plan import Plan
from ..units import human_size
from ..viewer import (
    MediaInfo,
    place_downloads,
    render_readers,
    render_readme,
    render_viewer,
    templates_root,
)
from .archive import fingerprint_of, package_entries, write_zip, write_zip_file, zip_is_current
from .checksums import write_sums
from .freshness import assembly_inputs, package_is_current, templates_digest
from .outdir import old_folder, one_build, remove_dead_leftovers, staging_folder
from .target import FitReport, check_file_sizes, check_fits, check_names, fit_report

log = logging.getLogger(__name__)
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackageResult:
    folder: Path
    zip_path: Path | None
    files: int
    bytes: int
    channel_nodes: int = 0
    #: Things a user should know, e.g. files that are in the viewer only.
    notes: tuple[str, ...] = ()
    fit: FitReport | None = None
    zip_reused: bool = False
    linked: int = 0
    #: False when the folder on disk was already built from the same inputs and was kept.
    reassembled: bool = True


def copy_verified(src: Path, dest: Path, *, sha256: str, key: str) -> None:
    """Copy ``src`` to ``dest`` through a temporary name, checking sha256 on the way."""
    digest = hashlib.sha256()
    with atomic.replacing(dest, durable=False) as tmp:
        with src.open("rb") as reader, tmp.open("wb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
        if digest.hexdigest() != sha256:
            raise ChecksumError(
                key=key, what="sha256", expected=sha256, actual=digest.hexdigest(), url=str(src)
            )


def place_blob(blob: Blob, dest: Path, *, key: str) -> bool:
    """Put ``blob`` at ``dest``; True when hard-linked, False when copied.

    Only cache blobs are linked: they are named by their sha256, verified when stored and
    never written again. A user's own local file is copied, so editing the package can never
    change it. Linking falls back to a verified copy where the file system refuses
    (another device, FAT32, no permission).
    """
    if blob.path.name == blob.sha256 and blob.path.stat().st_size == blob.size:
        try:
            with atomic.replacing(dest, durable=False) as tmp:
                os.link(blob.path, tmp)
        except OSError:
            pass  # another device, FAT32 or no permission: copy instead
        else:
            return True
    copy_verified(blob.path, dest, sha256=blob.sha256, key=key)
    return False


def _event_record(event: Event, sections: tuple[Section, ...]) -> dict[str, Any]:
    """What a stick's home page shows of a package: titles, languages, first and last day."""
    days = sorted(s.date.isoformat() for s in sections if s.date)
    return {
        "title": event.title.as_dict(),
        "languages": list(event.languages),
        "dates": [days[0], days[-1]] if days else None,
    }


def build_record(
    plan: Plan, channel: Channel | None = None, *, inputs: str | None = None
) -> dict[str, Any]:
    """The machine-readable description of a package (no timestamps: it is reproducible)."""
    manifest = plan.manifest
    node_of = {f.md5: f.node_id for f in channel.files} if channel else {}
    skipped = set(channel.skipped) if channel else set()
    return {
        "oerpack": __version__,
        "manifest": manifest.event.id,
        "event": _event_record(manifest.event, manifest.sections),
        "channel": {
            "id": plan.channel_id,
            "version": plan.channel_version,
            "database": channel_db_path(Path(), plan.channel_id).as_posix(),
            "nodes": len(channel.nodes) if channel else 0,
            "root_id": channel.root_id if channel else None,
        },
        "content_hash": plan.content_hash,
        **({"build": {"inputs": inputs}} if inputs is not None else {}),
        "items": [
            {
                "id": item.id,
                "kind": item.kind,
                "title": item.title.as_dict(),
                "files": [f.key for f in plan.files_of(item)],
            }
            for item in manifest.all_items()
        ],
        "files": [
            {
                "key": f.key,
                "path": f.dest,
                "size": f.size,
                "sha256": f.sha256,
                "md5": f.md5,
                "lang": f.lang,
                "media": f.media,
                "origin": f.origin,
                "profile": f.profile,
                "kolibri_node": None if f.key in skipped else node_of.get(f.md5),
            }
            for f in plan.files
        ],
        "derived": [
            {
                "of": d.of,
                "role": d.role,
                "path": d.dest,
                "size": d.size,
                "sha256": d.sha256,
                "preset": d.preset,
                "lang": d.lang,
            }
            for d in plan.derived
        ],
    }


def _swap_into_place(staging: Path, final: Path) -> None:
    old = old_folder(final.parent, final.name)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _place_media(
    plan: Plan, blobs: Mapping[str, Blob], derived_blobs: Mapping[str, Blob], staging: Path
) -> tuple[dict[str, str], int]:
    """Media into Kolibri's storage layout; returns known digests and links made."""
    known: dict[str, str] = {}
    linked = 0
    for package_file in plan.files:
        blob = blobs.get(package_file.key)
        if blob is None:
            raise PackageError(f"{package_file.key}: no fetched file to package")
        if blob.sha256 != package_file.sha256:
            raise ChecksumError(
                key=package_file.key,
                what="sha256",
                expected=package_file.sha256,
                actual=blob.sha256,
            )
        target = staging / package_file.dest
        if package_file.dest not in known:
            linked += place_blob(blob, target, key=package_file.key)
            known[package_file.dest] = package_file.sha256
    for extra in plan.derived:  # posters, thumbnails, page images, subtitles
        if extra.dest not in known:
            linked += place_blob(derived_blobs[extra.dest], staging / extra.dest, key=extra.of)
            known[extra.dest] = extra.sha256
    return known, linked


def _readme_context(plan: Plan, channel: Channel, media_bytes: int) -> dict[str, Any]:
    event = plan.manifest.event
    skipped = frozenset(channel.skipped)
    return {
        "title_en": event.title.get("en"),
        "title_ru": event.title.get("ru"),
        "package_id": plan.package_id,
        "oerpack_version": __version__,
        "items": len(plan.manifest.all_items()),
        "media_files": len(plan.files),
        "size": human_size(media_bytes),
        "channel_name": channel.name,
        "channel_id": channel.id,
        "channel_version": channel.version,
        "kolibri_nodes": sum(1 for n in channel.nodes if n.kind != "topic"),
        "viewer_only": [f"{f.key} (.{f.ext})" for f in plan.files if f.key in skipped],
    }


def _write_text(path: Path, text: str, *, windows: bool = False) -> None:
    """UTF-8 text; ``windows`` adds a BOM and CRLF so old Notepad shows Cyrillic right."""
    if windows:
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    else:
        path.write_text(text, encoding="utf-8", newline="\n")


def _write_folder(
    plan: Plan,
    blobs: Mapping[str, Blob],
    derived_blobs: Mapping[str, Blob],
    staging: Path,
    step: Callable[[str], None],
    inputs: str,
) -> tuple[Channel, int]:
    step("placing media")
    known, linked = _place_media(plan, blobs, derived_blobs, staging)
    step("rendering the viewer")
    media = {
        f.key: MediaInfo(pdf=f.pdf, duration=f.duration)
        for f in plan.files
        if f.pdf is not None or f.duration is not None
    }
    render_viewer(plan, media, staging)
    render_readers(plan, staging, media)
    place_downloads(plan, staging)
    step("writing the Kolibri channel")
    channel = build_channel(plan)
    write_channel_db(channel, channel_db_path(staging, channel.id))
    media_bytes = sum(f.size for f in plan.files)
    _write_text(
        staging / README_NAME,
        render_readme(_readme_context(plan, channel, media_bytes)),
        windows=True,
    )
    _write_text(
        staging / RECORD_NAME,
        json.dumps(
            build_record(plan, channel, inputs=inputs), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n",
    )
    names = [name for name, _ in package_entries(staging) if name != SUMS_NAME]
    write_sums(staging, names, known)
    return channel, linked


def assemble(
    plan: Plan,
    blobs: Mapping[str, Blob],
    out_dir: Path,
    *,
    make_zip: bool = True,
    target_size: int | None = None,
    allow_large_files: bool = False,
    derived_blobs: Mapping[str, Blob] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> PackageResult:
    """Write ``out_dir/<id>/`` (and ``out_dir/<id>.zip``) for ``plan``: ``blobs`` holds the
    bytes of each package file by key, ``derived_blobs`` those of each derived file by dest.

    The folder is built under a temporary name, checked for FAT32 (names, 4 GiB files) and,
    with ``target_size``, for fitting the stick; the zip is written from it, and then both
    are put in place one right after the other. A folder built from the same inputs (its
    oerpack.json says) is kept, and so is an unchanged zip (same SHA256SUMS). What killed
    builds left in ``out_dir`` is removed first.
    """
    step = on_step or (lambda message: None)
    check_file_sizes(((f.key, f.size) for f in plan.files), allow_large_files=allow_large_files)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / plan.package_id
    inputs = assembly_inputs(plan, templates_digest(templates_root()))
    with one_build(out_dir, plan.package_id):
        if freed := remove_dead_leftovers(out_dir, plan.package_id):
            step(f"removed {human_size(freed)} left behind by killed builds")
        if package_is_current(final, inputs):
            step("the package folder is up to date")
            channel, linked = build_channel(plan), 0
            fit = _check_target(package_entries(final), target_size)
            zip_path, reused, zip_notes = _zip_current(plan, final, out_dir, make_zip, step)
            reassembled = False
        else:
            channel, linked, fit, zip_path, reused = _assemble_new(
                plan, blobs, derived_blobs or {}, out_dir, make_zip, target_size, step, inputs
            )
            zip_notes, reassembled = (), True
    notes = tuple(
        f"{key}: Kolibri cannot show this file type; it is in the browser viewer only"
        for key in channel.skipped
    )
    for note in notes:
        log.info(note)
    entries = package_entries(final)
    return PackageResult(
        folder=final,
        zip_path=zip_path,
        files=len(entries),
        bytes=sum(path.stat().st_size for _, path in entries),
        channel_nodes=sum(1 for n in channel.nodes if n.kind != "topic"),
        notes=notes + zip_notes,
        fit=fit,
        zip_reused=reused,
        linked=linked,
        reassembled=reassembled,
    )


def _check_target(entries: list[tuple[str, Path]], target_size: int | None) -> FitReport | None:
    if target_size is None:
        return None
    fit = fit_report((path.stat().st_size for _, path in entries), target_size)
    check_fits(fit)
    return fit


def _assemble_new(
    plan: Plan,
    blobs: Mapping[str, Blob],
    derived_blobs: Mapping[str, Blob],
    out_dir: Path,
    make_zip: bool,
    target_size: int | None,
    step: Callable[[str], None],
    inputs: str,
) -> tuple[Channel, int, FitReport | None, Path | None, bool]:
    """Build the folder under a temporary name, zip it, then swap both into place."""
    final = out_dir / plan.package_id
    staging = staging_folder(out_dir, plan.package_id)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    zip_tmp = None
    package_bytes = sum(f.size for f in plan.files) + sum(d.size for d in plan.derived)
    try:
        with disk_full_as(out_dir, f"writing the package {final}", package_bytes):
            channel, linked = _write_folder(plan, blobs, derived_blobs, staging, step, inputs)
        entries = package_entries(staging)
        check_names(name for name, _ in entries)
        fit = _check_target(entries, target_size)
        folder_bytes = sum(path.stat().st_size for _, path in entries)
        with disk_full_as(out_dir, "writing the zip", folder_bytes):
            zip_path, zip_tmp = _stage_zip(plan, staging, out_dir, make_zip, step)
        _swap_into_place(staging, final)
        if zip_path is not None and zip_tmp is not None:
            os.replace(zip_tmp, zip_path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if zip_tmp is not None:
            zip_tmp.unlink(missing_ok=True)
        raise
    return channel, linked, fit, zip_path, zip_path is not None and zip_tmp is None


def _stage_zip(
    plan: Plan, staging: Path, out_dir: Path, make_zip: bool, step: Callable[[str], None]
) -> tuple[Path | None, Path | None]:
    """The zip's path and, unless the zip there already holds this folder, a finished
    temporary zip to move over it right after the folder is swapped in."""
    if not make_zip:
        return None, None
    target = out_dir / zip_name(plan.package_id)
    fingerprint = fingerprint_of(staging / SUMS_NAME)
    if zip_is_current(target, staging, root=plan.package_id, fingerprint=fingerprint):
        step("keeping the unchanged zip")
        return target, None
    step("writing the zip")
    tmp = atomic.temp_path(target)
    try:
        write_zip_file(staging, tmp, root=plan.package_id, fingerprint=fingerprint)
        atomic.fsync_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, tmp


def _zip_current(
    plan: Plan, folder: Path, out_dir: Path, make_zip: bool, step: Callable[[str], None]
) -> tuple[Path | None, bool, tuple[str, ...]]:
    """The zip of a folder that was kept: kept too when it matches, else written again and
    said (a build killed between the two renames leaves them apart)."""
    if not make_zip:
        return None, False, ()
    target = out_dir / zip_name(plan.package_id)
    fingerprint = fingerprint_of(folder / SUMS_NAME)
    if zip_is_current(target, folder, root=plan.package_id, fingerprint=fingerprint):
        step("keeping the unchanged zip")
        return target, True, ()
    notes: tuple[str, ...] = ()
    if target.exists():
        notes = (
            f"{target} held another build than {folder}/ (an interrupted build?): written again",
        )
        log.warning(notes[0])
    step("writing the zip")
    folder_bytes = sum(path.stat().st_size for _, path in package_entries(folder))
    with disk_full_as(out_dir, "writing the zip", folder_bytes):
        write_zip(folder, target, root=plan.package_id, fingerprint=fingerprint)
    return target, False, notes
