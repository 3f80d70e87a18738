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
from .errors import (
    FetchFailedError,
    FetchInterruptedError,
    OerpackError,
    OfflineMissingError,
    PackageError,
)
from .fetch.parallel import fetch_all
from .lock import lock_path, read_lock, write_lock
from .manifest import load_manifest
from .media.derive import MediaOptions
from .models import FetchReport, FetchTask, Lock, LockEntry, Manifest, ProgressCallback
from .plan import plan_fetch, plan_package, settle_version
from .settings import Settings

if TYPE_CHECKING:
    from .package import PackageResult

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
    return Lock(
        sources=tuple(sorted(entries.items())),
        channel_version=lock.channel_version,
        content_hash=lock.content_hash,
    )


def space_needs(
    tasks: tuple[FetchTask, ...],
    cache: Cache,
    *,
    out_dir: Path | None = None,
    make_zip: bool = False,
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
        needs.append(SpaceNeed(out_dir, total * (2 if make_zip else 1), "the package"))
    return tuple(needs)


def fetch_manifest(
    manifest_path: Path,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    out_dir: Path | None = None,
    make_zip: bool = False,
) -> FetchOutcome:
    """Bring every source of the manifest into the cache and record it in the lock.
    With ``out_dir``, also check before any download that the package will fit there."""
    manifest = load_manifest(manifest_path)
    path = lock_path(manifest_path)
    lock = read_lock(path)
    tasks = plan_fetch(manifest, lock, settings)
    if out_dir is not None:
        ready_out_dir(out_dir)
    cache = Cache(settings.cache_dir)
    cache.ensure()
    if not settings.offline:
        check_space(space_needs(tasks, cache, out_dir=out_dir, make_zip=make_zip))
    cache.register_lock(path)
    try:
        report = fetch_all(tasks, settings=settings, progress=progress)
    except FetchInterruptedError as interrupted:
        assert isinstance(interrupted.report, FetchReport)
        write_lock(
            path, _merged_lock(manifest, lock, interrupted.report), manifest_id=manifest.event.id
        )
        raise
    lock = _merged_lock(manifest, lock, report)
    write_lock(path, lock, manifest_id=manifest.event.id)
    errors = [e for e in report.errors if isinstance(e, OerpackError)]
    if errors:
        offline = [e for e in errors if isinstance(e, OfflineMissingError)]
        if offline and len(offline) == len(errors):
            raise OfflineMissingError([key for e in offline for key in e.keys])
        raise FetchFailedError(errors)
    return FetchOutcome(manifest=manifest, lock=lock, report=report)


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
    on_step: Callable[[str], None] | None = None,
    media: MediaOptions | None = None,
) -> BuildOutcome:
    """Fetch, plan, derive media and assemble ``out_dir/<event-id>/`` and its zip."""
    # Imported here so that `oerpack fetch` and `refresh` start without pypdf, Jinja2, Pillow.
    from .media.stage import derive_media
    from .package import assemble

    fetched = fetch_manifest(
        manifest_path, settings, progress=progress, out_dir=out_dir, make_zip=make_zip
    )
    plan = plan_package(fetched.manifest, fetched.lock)
    blobs = {result.key: result.blob for result in fetched.report.results}
    derived = derive_media(plan, blobs, settings, media or MediaOptions(), on_step=on_step)
    plan = settle_version(derived.plan)
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
    lock = replace(
        fetched.lock, channel_version=plan.channel_version, content_hash=plan.content_hash
    )
    write_lock(lock_path(manifest_path), lock, manifest_id=fetched.manifest.event.id)
    return BuildOutcome(
        fetched=replace(fetched, lock=lock),
        package=package,
        channel_version=plan.channel_version,
        notes=derived.notes + package.notes,
    )
