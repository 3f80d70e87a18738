"""The library's entry points: fetch a manifest's sources, build its package."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache
from .diskspace import SpaceNeed, check_space
from .drafts import refuse_placeholders
from .errors import (
    ChecksumError,
    FetchFailedError,
    FetchInterruptedError,
    OerpackError,
    OfflineMissingError,
    PackageError,
)
from .fetch.parallel import fetch_all
from .layout import zim_name
from .lock import lock_path, read_lock
from .manifest import load_manifest
from .media.derive import MediaOptions
from .models import FetchReport, FetchTask, Lock, LockEntry, Manifest, ProgressCallback
from .package.target import FAT32_MAX_FILE, check_file_sizes
from .plan import plan_fetch, plan_package, settle_content_hash
from .settings import Settings
from .versions import Assigned, assign_version, write_lock_keeping_versions

if TYPE_CHECKING:
    from .package.assemble import PackageResult
    from .zim.render import ZimResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    manifest: Manifest
    lock: Lock
    report: FetchReport


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    fetched: FetchOutcome
    package: PackageResult
    channel_version: int
    notes: tuple[str, ...] = ()  # what the user should know: media left out, viewer-only files
    zim: ZimResult | None = None


def _merged_lock(manifest: Manifest, lock: Lock, report: FetchReport) -> Lock:
    """The lock after a fetch: entries for the manifest's sources only, updated where
    a source was fetched (a cache hit keeps what the lock knew about its origin)."""
    keys = {source.key for source in manifest.all_sources()}
    entries: dict[str, LockEntry] = {k: e for k, e in lock.sources if k in keys}
    for result in report.results:
        old = entries.get(result.key)
        if result.from_cache and old is not None:
            entries[result.key] = replace(
                old, size=result.blob.size, sha256=result.blob.sha256, md5=result.blob.md5
            )
        else:
            entries[result.key] = result.entry
    return replace(lock, sources=tuple(sorted(entries.items())))


def space_needs(
    tasks: tuple[FetchTask, ...],
    cache: Cache,
    *,
    out_dir: Path | None = None,
    make_zip: bool = False,
    make_zim: bool = False,
) -> tuple[SpaceNeed, ...]:
    """Bytes still to download into the cache, and the package (plus its zip) in out_dir;
    sizes come from manifest and lock pins (unpinned sources are checked per file)."""
    missing = sum(
        t.size or 0
        for t in tasks
        if t.path is None and not (t.sha256 and cache.lookup(t.sha256, size=t.size))
    )
    needs = [SpaceNeed(cache.root, missing, "downloads")]
    if out_dir is not None:
        total = sum(t.size or 0 for t in tasks)
        copies = 1 + make_zip + make_zim  # the folder, the zip, the ZIM: a full copy each
        needs.append(SpaceNeed(out_dir, total * copies, "the package"))
    return tuple(needs)


def fetch_manifest(
    manifest_path: Path,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    out_dir: Path | None = None,
    make_zip: bool = False,
    make_zim: bool = False,
) -> FetchOutcome:
    """Bring every source of the manifest into the cache and record it in the lock.
    With ``out_dir``, also check before any download that the package will fit there."""
    manifest = load_manifest(manifest_path, allow_outside_paths=settings.allow_outside_paths)
    path = lock_path(manifest_path)
    lock = read_lock(path)
    tasks = plan_fetch(manifest, lock, settings)
    if out_dir is not None:
        ready_out_dir(out_dir)
    cache = Cache(settings.cache_dir)
    cache.ensure()
    if not settings.offline:
        check_space(
            space_needs(tasks, cache, out_dir=out_dir, make_zip=make_zip, make_zim=make_zim)
        )
    refuse_large_files(tasks, settings)
    cache.register_lock(path)
    guard = cache.guard_of(path)
    try:
        report = fetch_all(tasks, settings=settings, progress=progress)
    except FetchInterruptedError as interrupted:
        assert isinstance(interrupted.report, FetchReport)
        ours = _merged_lock(manifest, lock, interrupted.report)
        write_lock_keeping_versions(path, guard, ours, manifest_id=manifest.event.id)
        raise
    lock = _merged_lock(manifest, lock, report)
    lock = write_lock_keeping_versions(path, guard, lock, manifest_id=manifest.event.id)
    errors = [e for e in report.errors if isinstance(e, OerpackError)]
    if errors:
        offline = [e for e in errors if isinstance(e, OfflineMissingError)]
        if offline and len(offline) == len(errors):
            raise OfflineMissingError([key for e in offline for key in e.keys])
        raise FetchFailedError(errors, hint=pin_hint(errors, tasks, manifest))
    return FetchOutcome(manifest=manifest, lock=lock, report=report)


def pin_hint(
    errors: list[OerpackError], tasks: tuple[FetchTask, ...], manifest: Manifest
) -> str | None:
    """What resolves checksum mismatches: a pin in the lock gives way to
    'refresh --rehash'; a pin in the manifest only to editing it."""
    labels = {e.key for e in errors if isinstance(e, ChecksumError)}
    if not labels or len(labels) < len(errors):
        return None
    keys = {t.key for t in tasks if t.label in labels}
    in_manifest = sorted(
        s.key
        for s in manifest.all_sources()
        if s.key in keys and (s.sha256 is not None or s.size is not None)
    )
    name = manifest.path
    if in_manifest:
        return (
            f"if the new bytes are right, update or remove the sha256/size pin of "
            f"{', '.join(in_manifest[:3])} in {name}"
            + (
                f"; for the others run 'oerpack refresh --rehash {name}'"
                if len(in_manifest) < len(keys)
                else ""
            )
        )
    return (
        f"the lock pins bytes the server no longer sends; if the new bytes are right, run "
        f"'oerpack refresh --rehash {name}' to download them again and pin them"
    )


def refuse_large_files(tasks: tuple[FetchTask, ...], settings: Settings) -> None:
    """Before any download: sources pinned (manifest or lock) larger than the package's
    medium allows. Unpinned ones are refused when their Content-Length arrives."""
    if settings.max_file_size is None:
        return
    check_file_sizes(
        ((t.key, t.size) for t in tasks if t.size is not None and t.path is None),
        allow_large_files=False,
        limit=settings.max_file_size,
    )


def ready_out_dir(out_dir: Path) -> None:
    """Create the output folder before any download, so a bad --out fails at once."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        reason = None if os.access(out_dir, os.W_OK | os.X_OK) else "not writable"
    except (FileExistsError, NotADirectoryError):
        reason = "a file is in the way"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    if reason is not None:
        raise PackageError(
            f"cannot use {out_dir} as the output folder: {reason}",
            hint="give --out a folder you can write to (it is created if missing)",
        )


def build_package(
    manifest_path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    make_zip: bool = True,
    target_size: int | None = None,
    allow_large_files: bool = False,
    allow_draft: bool = False,
    on_step: Callable[[str], None] | None = None,
    media: MediaOptions | None = None,
    make_zim: bool = False,
) -> BuildOutcome:
    """Fetch, plan, derive media and assemble ``out_dir/<event-id>/`` and its zip; with
    ``make_zim`` also ``out_dir/<event-id>.zim`` for Kiwix, from the same plan and media.

    A manifest still holding a draft's TODO placeholders is refused before anything is
    downloaded, unless ``allow_draft``. After the fetch the cache is marked in use, so
    ``cache --prune`` cannot remove a derived output between the media stage and the lock
    that records it."""
    if not allow_draft:
        refuse_placeholders(load_manifest(manifest_path))
    if not allow_large_files:
        settings = replace(settings, max_file_size=FAT32_MAX_FILE)
    fetched = fetch_manifest(
        manifest_path,
        settings,
        progress=progress,
        out_dir=out_dir,
        make_zip=make_zip,
        make_zim=make_zim,
    )
    with Cache(settings.cache_dir).in_use():
        return _package(
            fetched,
            lock_path(manifest_path),
            out_dir,
            settings,
            make_zip=make_zip,
            target_size=target_size,
            allow_large_files=allow_large_files,
            on_step=on_step,
            media=media,
            make_zim=make_zim,
        )


def _package(
    fetched: FetchOutcome,
    path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    make_zip: bool,
    target_size: int | None,
    allow_large_files: bool,
    on_step: Callable[[str], None] | None,
    media: MediaOptions | None,
    make_zim: bool,
) -> BuildOutcome:
    # Imported here so that `oerpack fetch` and `refresh` start without pypdf, Jinja2, Pillow.
    from .media.stage import derive_media
    from .package.assemble import assemble

    plan = plan_package(fetched.manifest, fetched.lock)
    blobs = {result.key: result.blob for result in fetched.report.results}
    derived = derive_media(plan, blobs, settings, media or MediaOptions(), on_step=on_step)
    plan = settle_content_hash(derived.plan)
    cache = Cache(settings.cache_dir)
    assigned, lock = assign_version(
        path,
        cache.guard_of(path),
        plan.content_hash,
        fetched.lock,
        manifest_id=fetched.manifest.event.id,
    )
    # What this build used of derived/ is the cache's business, not the committed lock's:
    # it depends on this machine's tools and options.
    cache.record_derived(path, derived.derived_keys)
    plan = replace(plan, channel_version=assigned.version)
    package = assemble(
        plan,
        derived.blobs,
        out_dir,
        derived_blobs=derived.derived_blobs,
        make_zip=make_zip,
        target_size=target_size,
        allow_large_files=allow_large_files,
        on_step=on_step,
    )
    zim = None
    if make_zim:
        from .zim.render import write_event_zim

        if on_step:
            on_step("writing the ZIM (Kiwix)")
        target = out_dir / zim_name(plan.package_id)
        zim = write_event_zim(plan, derived.blobs, derived.derived_blobs, target, lock=lock)
    return BuildOutcome(
        fetched=replace(fetched, lock=lock),
        package=package,
        channel_version=plan.channel_version,
        notes=_stale_notes(fetched.manifest, lock)
        + _version_notes(assigned)
        + derived.notes
        + package.notes
        + _zim_notes(zim),
        zim=zim,
    )


def _zim_notes(zim: ZimResult | None) -> tuple[str, ...]:
    if zim is None or zim.size <= FAT32_MAX_FILE:
        return ()
    return (
        f"{zim.path.name} is 4 GiB or more: FAT32 cannot hold it; split it with zimsplit "
        "(zim-tools) or use an exFAT/NTFS card",
    )


def _stale_notes(manifest: Manifest, lock: Lock) -> tuple[str, ...]:
    """Sources packaged from the last good copy because refresh found them broken."""
    notes = []
    for source in manifest.all_sources():
        entry = lock.get(source.key)
        if entry is not None and entry.broken:
            when = f" (fetched {entry.fetched_at})" if entry.fetched_at else ""
            notes.append(
                f"{source.key}: packaged from the last good copy{when}; its source is "
                f"broken: {entry.broken}"
            )
    return tuple(notes)


def _version_notes(assigned: Assigned) -> tuple[str, ...]:
    if not assigned.older:
        return ()
    return (
        f"this content was built before as channel version {assigned.version}; a Kolibri "
        f"server that imported version {assigned.highest} (other content) keeps that one "
        "and does not import this",
    )
