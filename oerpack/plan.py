"""Pure planning: from a manifest and its lock to what to fetch and what to package."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from . import ids, layout
from .errors import NotFetchedError, UnresolvedSourcesError
from .filetypes import MediaKind, media_of
from .models import FetchTask, Item, Lock, Manifest, PdfInfo, Source
from .platforms import source_via
from .settings import Settings

#: Bump when oerpack changes what it writes into the channel database, so that packages
#: built by the new oerpack import over old ones (Kolibri ignores a re-used version).
CHANNEL_FORMAT = "oerpack-channel-2"


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One source's bytes in the package, at Kolibri's storage path ``dest``."""

    key: str
    item_id: str
    lang: str
    sha256: str
    md5: str
    size: int
    ext: str
    dest: str
    media: MediaKind
    #: Set on files made at build time (oerpack.media): the source key a converted PDF
    #: comes from, the video profile a transcoded recording was encoded with.
    origin: str | None = None
    profile: str | None = None
    #: What the media stage read from the bytes (once per content, cached): a PDF's pages
    #: and text, a recording's seconds. Not part of any hash: the bytes already are.
    pdf: PdfInfo | None = None
    duration: float | None = None


#: What a derived file is to its package file: a thumbnail (poster, first page), one page
#: image, or a subtitle track.
DerivedRole = Literal["thumbnail", "page", "subtitle"]


@dataclass(frozen=True, slots=True)
class DerivedFile:
    """A file made at build time for the package file ``of``: its ``thumbnail`` (a video's
    poster, a document's first page), a ``page`` image (``index`` from 1) or a ``subtitle``
    (VTT, in ``lang``). ``preset`` is the Kolibri file preset, None if Kolibri does not
    use it (page images)."""

    of: str
    role: DerivedRole
    dest: str
    sha256: str
    md5: str
    size: int
    ext: str
    preset: str | None = None
    lang: str | None = None
    index: int = 0
    #: The package file it was made from when that is not ``of`` (a subtitle's SRT/VTT).
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PlanIndex:
    """Lookups over a plan's files, built once per plan, so that asking for each file's
    derived files or each item's files costs the same at 10,000 items as at 10."""

    position: dict[str, int]
    by_source: dict[str, tuple[int, ...]]
    derived: dict[tuple[str, str], tuple[DerivedFile, ...]]

    @staticmethod
    def of(files: tuple[PackageFile, ...], derived: tuple[DerivedFile, ...]) -> PlanIndex:
        by_source: dict[str, list[int]] = {}
        for n, package_file in enumerate(files):
            by_source.setdefault(package_file.key, []).append(n)
            if package_file.origin is not None and package_file.origin != package_file.key:
                by_source.setdefault(package_file.origin, []).append(n)
        made: dict[tuple[str, str], list[DerivedFile]] = {}
        for each in derived:
            made.setdefault((each.of, each.role), []).append(each)
        return PlanIndex(
            position={f.key: n for n, f in reversed(list(enumerate(files)))},
            by_source={k: tuple(v) for k, v in by_source.items()},
            derived={k: tuple(v) for k, v in made.items()},
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the effect stages need, decided up front."""

    manifest: Manifest
    package_id: str
    channel_id: str
    channel_version: int
    content_hash: str
    files: tuple[PackageFile, ...]
    derived: tuple[DerivedFile, ...] = ()
    index: PlanIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", PlanIndex.of(self.files, self.derived))

    def file_for(self, key: str) -> PackageFile:
        return self.files[self.index.position[key]]

    def files_of(self, item: Item) -> tuple[PackageFile, ...]:
        found = {n for source in item.sources for n in self.index.by_source.get(source.key, ())}
        return tuple(self.files[n] for n in sorted(found))

    def derived_of(self, key: str, role: DerivedRole) -> tuple[DerivedFile, ...]:
        """Files made for the package file ``key`` in ``role`` (see DerivedFile)."""
        return self.index.derived.get((key, role), ())

    def attached_subtitles(self) -> frozenset[str]:
        """Keys of subtitle source files that became a video's tracks (not files of their
        own in the viewer or the channel)."""
        return frozenset(d.source for d in self.derived if d.role == "subtitle" and d.source)


def source_url(source: Source, lock: Lock) -> str | None:
    """The URL a source is fetched from: the manifest's, else the one the lock resolved."""
    if source.url is not None:
        return source.url
    entry = lock.get(source.key)
    return entry.url if entry is not None else None


def plan_fetch(manifest: Manifest, lock: Lock, settings: Settings) -> tuple[FetchTask, ...]:
    """One task per source; raises before any download if a source has no address."""
    unresolved = [
        s.key for s in manifest.all_sources() if s.path is None and source_url(s, lock) is None
    ]
    if unresolved:
        raise UnresolvedSourcesError(
            unresolved, manifest=str(manifest.path), has_pages=bool(manifest.event.pages)
        )
    tasks = []
    for source in manifest.all_sources():
        entry = lock.get(source.key)
        url = source_url(source, lock)
        # A pin in the manifest wins; the lock's pin holds while the URL is unchanged.
        lock_pins = entry is not None and entry.url == url
        tasks.append(
            FetchTask(
                key=source.key,
                lang=source.lang,
                url=settings.rewrite(url) if url else None,
                source_url=url,
                path=source.path,
                sha256=source.sha256 or (entry.sha256 if lock_pins and entry else None),
                size=source.size
                if source.size is not None
                else (entry.size if lock_pins and entry else None),
                etag=entry.etag if lock_pins and entry else None,
                last_modified=entry.last_modified if lock_pins and entry else None,
                via=source_via(source.via, source.url, url),
            )
        )
    return tuple(tasks)


def plan_package(manifest: Manifest, lock: Lock) -> Plan:
    """The package for ``manifest`` given a lock that records every source's bytes."""
    files = []
    for item in manifest.all_items():
        for source in item.sources:
            entry = lock.get(source.key)
            if entry is None or not (entry.sha256 and entry.md5 and entry.size is not None):
                raise NotFetchedError(source.key, manifest=str(manifest.path))
            url = source_url(source, lock)
            ext = ids.extension_for(  # a platform page's address says nothing of the file
                url=None if source_via(source.via, source.url, url) else entry.final_url or url,
                path=source.path.name if source.path else None,
                content_type=entry.content_type,
            )
            files.append(
                PackageFile(
                    key=source.key,
                    item_id=item.id,
                    lang=source.lang,
                    sha256=entry.sha256,
                    md5=entry.md5,
                    size=entry.size,
                    ext=ext,
                    dest=layout.storage_path(entry.md5, ext),
                    media=media_of(ext),
                )
            )
    return Plan(
        manifest=manifest,
        package_id=manifest.event.id,
        channel_id=ids.channel_id(manifest.event.id),
        channel_version=0,  # given by oerpack.versions once the content hash is settled
        content_hash=f"{_sources_hash(manifest, files)}:",
        files=tuple(files),
    )


def with_media_facts(
    plan: Plan, pdfs: Mapping[str, PdfInfo], durations: Mapping[str, float]
) -> Plan:
    """The plan whose files carry what the media stage read from them."""
    files = tuple(
        replace(f, pdf=pdfs.get(f.key), duration=durations.get(f.key)) for f in plan.files
    )
    return replace(plan, files=files)


def settle_content_hash(plan: Plan) -> Plan:
    """The plan with its content hash covering what the build made too (converted PDFs,
    transcodes, thumbnails, subtitles, page images): ``<sources>:<derived>``. Its channel
    version follows from the hash (oerpack.versions), so Kolibri re-imports when any of
    them changes and a rebuild of the same keeps the version."""
    sources, _, _ = plan.content_hash.partition(":")
    return replace(plan, content_hash=f"{sources}:{_derived_hash(plan)}")


def _canonical(value: object, base: Path) -> object:
    """JSON-able view of manifest records without what does not reach the package: source
    line numbers and where the manifest sits on disk."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name), base)
            for f in fields(value)
            if f.name != "line"
        }
    if isinstance(value, tuple | list):
        return [_canonical(each, base) for each in value]
    if isinstance(value, Path):
        return value.relative_to(base).as_posix() if value.is_relative_to(base) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _digest(value: object) -> str:
    payload = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _sources_hash(manifest: Manifest, files: list[PackageFile]) -> str:
    """A digest of what the package is made from: the manifest's content, every source
    file, and the channel format."""
    view = _canonical((manifest.event, manifest.items, manifest.sections), manifest.path.parent)
    return _digest([CHANNEL_FORMAT, view, [(f.key, f.sha256, f.ext) for f in files]])


def _derived_hash(plan: Plan) -> str:
    """A digest of every file the build made: conversions (which may replace a source's
    bytes, e.g. a transcode) and derived files."""
    made = [
        (f.key, f.sha256, f.ext, f.origin, f.profile)
        for f in plan.files
        if f.origin is not None or f.profile is not None
    ]
    extras = sorted(
        json.dumps([d.of, d.role, d.index, d.sha256, d.ext, d.preset, d.lang, d.source])
        for d in plan.derived
    )
    return _digest([made, extras])
