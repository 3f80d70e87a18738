"""Pure planning of derived files: what to convert, transcode and render from which file,
each with a cache key, and how the results change the package plan."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from .. import fatnames, layout
from ..filetypes import media_of
from ..models import Blob
from ..package.target import on_fat32
from ..plan import DerivedFile, DerivedRole, PackageFile, Plan
from . import profiles
from .office import OFFICE_EXTS
from .profiles import FitChoice, ProfileName, Recording
from .subtitles import SUBTITLE_EXTS

#: Bump when a renderer changes so old outputs in the cache are not reused.
RENDER_VERSION = 1
#: Kinds whose recipe changed since: 2 = office PDFs without dates, with a stable /ID.
KIND_VERSIONS: Mapping[str, int] = {"office-pdf": 2}


@dataclass(frozen=True, slots=True)
class MediaOptions:
    """How the build treats media (the CLI's ``--video-profile``, ``--fit`` …)."""

    video_profile: ProfileName = ProfileName.ORIGINAL
    fit: int | None = None
    margin: float = profiles.DEFAULT_MARGIN
    office: bool = True
    thumbnails: bool = True
    page_images: bool = True
    office_timeout: float = 300.0

    def __post_init__(self) -> None:
        # The one place a profile's name is resolved: a typo fails here, before any work.
        object.__setattr__(self, "video_profile", profiles.profile_name(self.video_profile))

    @property
    def reencodes(self) -> bool:
        """Whether recordings may be re-encoded (a profile, or --fit choosing them)."""
        return self.fit is not None or self.video_profile is not ProfileName.ORIGINAL


#: What a derivation makes: a PDF from an office file, a re-encoded recording, a poster or
#: first-page thumbnail, page images of a document, a VTT from an SRT.
TaskKind = Literal["office-pdf", "transcode", "thumbnail", "pages", "subtitle"]


@dataclass(frozen=True, slots=True)
class Task:
    """One derivation: read the file of package file ``key`` (sha256 ``input_sha256``,
    extension ``input_ext``) and make ``kind`` output; ``of`` is the package file the
    output belongs to. ``cache_key`` names the output in the cache."""

    kind: TaskKind
    key: str
    of: str
    input_sha256: str
    input_ext: str
    profile: str | None = None
    lang: str | None = None
    out_ext: str = ""

    @property
    def cache_key(self) -> str:
        profile = profiles.profile_named(self.profile) if self.profile else None
        version = profile.version if profile else KIND_VERSIONS.get(self.kind, RENDER_VERSION)
        payload = json.dumps(
            [self.kind, self.input_sha256, self.input_ext, self.profile, self.out_ext, version]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Room for what is not media: the viewer and its search data, the channel database, README.
PACKAGE_OVERHEAD = 512 * 1024


def recording(package_file: PackageFile, durations: Mapping[str, float]) -> Recording:
    return Recording(
        key=package_file.key, seconds=durations.get(package_file.key, 0.0), size=package_file.size
    )


def plan_profiles(
    plan: Plan, options: MediaOptions, durations: Mapping[str, float], *, fixed_bytes: int = 0
) -> tuple[FitChoice, ...]:
    """The profile per video: ``--fit`` chooses (``fixed_bytes`` is everything else the
    package holds, see fixed_bytes), else ``--video-profile`` for all."""
    videos = [f for f in plan.files if f.media == "video"]
    if options.fit is None:
        return tuple(
            FitChoice(
                key=f.key,
                profile=options.video_profile,
                estimated_bytes=profiles.estimate(recording(f, durations), options.video_profile),
            )
            for f in videos
        )
    return profiles.choose_profiles(
        tuple(recording(f, durations) for f in videos),
        other_bytes=fixed_bytes,
        capacity=options.fit,
        margin=options.margin,
    )


def fixed_bytes(plan: Plan, *, text_chars: int = 0) -> int:
    """What the package takes on a stick besides its recordings: every other file and
    every derived file (page images, thumbnails, posters, subtitles) rounded up to FAT32
    clusters, a page per reader and subtitle script, the search text, and the viewer."""
    sizes = [f.size for f in plan.files if f.media != "video"] + [d.size for d in plan.derived]
    pages = {d.of for d in plan.derived if d.role == "page"}
    scripts = sum(1 for d in plan.derived if d.role == "subtitle")
    return (
        sum(on_fat32(size) for size in sizes)
        + on_fat32(1) * (len(pages) + scripts)
        + 2 * text_chars  # the search data: UTF-8 Cyrillic takes two bytes a character
        + PACKAGE_OVERHEAD
    )


def transcode_task(package_file: PackageFile, profile: ProfileName) -> Task:
    f = package_file
    return Task("transcode", f.key, f.key, f.sha256, f.ext, profile=profile, out_ext="mp4")


def without_attached_subtitles(plan: Plan) -> Plan:
    """The plan without the subtitle sources that became WebVTT tracks of a video: their
    originals (SRT) would sit in storage and SHA256SUMS with nothing linking to them."""
    attached = plan.attached_subtitles()
    return replace(plan, files=tuple(f for f in plan.files if f.key not in attached))


def plan_conversions(
    plan: Plan, options: MediaOptions, choices: tuple[FitChoice, ...], *, have_office: bool
) -> tuple[Task, ...]:
    """Office documents to PDF, videos to their chosen profile."""
    tasks = []
    reencoded = {c.key: c.profile for c in choices if c.profile is not ProfileName.ORIGINAL}
    for f in plan.files:
        if f.ext in OFFICE_EXTS and options.office and have_office:
            tasks.append(Task("office-pdf", f.key, f"{f.key}~pdf", f.sha256, f.ext, out_ext="pdf"))
        elif f.media == "video" and f.key in reencoded:
            tasks.append(transcode_task(f, reencoded[f.key]))
    return tuple(tasks)


def apply_conversions(plan: Plan, done: Mapping[Task, Blob]) -> Plan:
    """The plan with converted PDFs added (next to their originals) and videos replaced
    by their transcodes."""
    files = list(plan.files)
    for task, blob in done.items():
        converted = PackageFile(
            key=task.of,
            item_id="",
            lang="",
            sha256=blob.sha256,
            md5=blob.md5,
            size=blob.size,
            ext=task.out_ext,
            dest=layout.storage_path(blob.md5, task.out_ext),
            media=media_of(task.out_ext),
        )
        index = next(i for i, f in enumerate(files) if f.key == task.key)
        source = files[index]
        converted = replace(converted, item_id=source.item_id, lang=source.lang)
        if task.kind == "transcode":
            files[index] = replace(converted, profile=task.profile)
        else:
            files.insert(index + 1, replace(converted, origin=source.key))
    return replace(plan, files=tuple(files))


def plan_extras(plan: Plan, options: MediaOptions, *, have_ffmpeg: bool = True) -> tuple[Task, ...]:
    """Thumbnails, page images and subtitles for the (converted) plan's files; video
    posters only where ffmpeg can grab them."""
    tasks = []
    for f in plan.files:
        if f.media == "video" and options.thumbnails and have_ffmpeg:
            tasks.append(Task("thumbnail", f.key, f.key, f.sha256, f.ext, out_ext="jpg"))
        if f.media == "document" and f.ext == "pdf":
            if options.thumbnails:
                tasks.append(Task("thumbnail", f.key, f.key, f.sha256, f.ext, out_ext="png"))
            if options.page_images:
                tasks.append(Task("pages", f.key, f.key, f.sha256, f.ext, out_ext="jpg"))
        if f.ext in SUBTITLE_EXTS:
            tasks.extend(
                Task("subtitle", f.key, video.key, f.sha256, f.ext, lang=f.lang, out_ext="vtt")
                for video in plan.files
                if video.media == "video" and video.item_id == f.item_id
            )
    return tuple(tasks)


def derived_files(plan: Plan, task: Task, outputs: tuple[Blob, ...]) -> tuple[DerivedFile, ...]:
    """Where a task's outputs go in the package, with their Kolibri presets."""
    media = plan.file_for(task.of).media
    if task.kind == "pages":
        folder = f"{layout.PAGES_DIR}/{fatnames.safe_component(task.of)}"
        return tuple(
            DerivedFile(
                of=task.of,
                role="page",
                dest=f"{folder}/p{n:04d}.jpg",
                sha256=b.sha256,
                md5=b.md5,
                size=b.size,
                ext="jpg",
                index=n,
            )
            for n, b in enumerate(outputs, start=1)
        )
    (blob,) = outputs
    role: DerivedRole = "subtitle" if task.kind == "subtitle" else "thumbnail"
    preset = "video_subtitle" if role == "subtitle" else f"{media}_thumbnail"
    return (
        DerivedFile(
            of=task.of,
            role=role,
            dest=layout.storage_path(blob.md5, task.out_ext),
            sha256=blob.sha256,
            md5=blob.md5,
            size=blob.size,
            ext=task.out_ext,
            preset=preset,
            lang=task.lang,
            source=task.key if task.key != task.of else None,
        ),
    )


def reader_path(key: str) -> str:
    """The page-by-page reader of a document's page images."""
    return layout.reader_path(fatnames.safe_component(key))
