"""The derived-files stage: run the planned conversions and renders through the cache
and return the package plan with their outputs (between fetch and assemble)."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__, atomic
from ..diskspace import disk_full_as, free_bytes
from ..errors import DiskFullError
from ..fetch.hashing import hash_file
from ..filetypes import is_iso_media
from ..models import Blob, PdfInfo
from ..pdf import read_pdf
from ..plan import DerivedFile, Plan, with_media_facts
from ..settings import Settings
from ..units import human_size
from . import derive, office, pages, subtitles, thumbs, video
from .derive import MediaOptions, Task
from .encode import encode_recordings
from .mp4 import video_duration
from .profiles import profile_named

log = logging.getLogger(__name__)
#: Bump when read_pdf extracts differently, so cached PDF facts are read again.
PDF_FACTS_VERSION = 2  # 2: page_texts
#: Free bytes under which a failed tool is taken to have run out of disk space.
TOOL_FULL_DISK = 1024 * 1024
Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class MediaResult:
    """The plan with its derived files and what was read from the media on the way (PDF
    text and pages, video durations, inside its files, so nothing reads them again); the
    bytes to package: ``blobs`` by package file key, ``derived_blobs`` by derived file dest."""

    plan: Plan
    blobs: Mapping[str, Blob]
    derived_blobs: Mapping[str, Blob]
    notes: tuple[str, ...]
    #: Every entry of the cache's ``derived/`` this build used: the lock keeps them from
    #: ``oerpack cache --prune``.
    derived_keys: tuple[str, ...] = ()


class DerivedCache:
    """``<cache>/derived/<aa>/<cache key>/`` holds a task's outputs and ``outputs.json``;
    the folder appears by rename only when complete, so a rebuild never redoes a task."""

    def __init__(self, root: Path) -> None:
        self.root = root / "derived"
        self.used: set[str] = set()

    def folder(self, key: str) -> Path:
        return self.root / key[:2] / key

    def lookup(self, key: str) -> tuple[Blob, ...] | None:
        self.used.add(key)
        folder = self.folder(key)
        try:
            rows = json.loads((folder / "outputs.json").read_text(encoding="utf-8"))
            blobs = tuple(
                Blob(path=folder / r["name"], size=r["size"], sha256=r["sha256"], md5=r["md5"])
                for r in rows
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (
            blobs
            if all(b.path.is_file() and b.path.stat().st_size == b.size for b in blobs)
            else None
        )

    def store(self, key: str, work: Path, names: list[str]) -> tuple[Blob, ...]:
        rows = [_describe(work / name) for name in names]
        (work / "outputs.json").write_text(json.dumps(rows), encoding="utf-8")
        final = self.folder(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
        found = self.lookup(key)
        assert found is not None
        return found

    def note(self, name: str) -> Any:
        """A small JSON record kept beside the outputs (facts, failures), or None."""
        try:
            return json.loads(self._note_path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def keep_note(self, name: str, data: object) -> None:
        path = self._note_path(name)
        atomic.write_text(path, json.dumps(data), durable=False)

    def _note_path(self, name: str) -> Path:
        self.used.add(name)
        return self.root / name[:2] / f"{name}.json"

    def failure(self, key: str, tool: str) -> str | None:
        """Why this task failed before with the same tool, if it did: a broken source or a
        hung converter should cost its time once, not on every rebuild."""
        data = self.note(f"{key}.failed")
        if isinstance(data, dict) and data.get("tool") == tool:
            return str(data["message"])
        return None

    def remember_failure(self, key: str, tool: str, message: str) -> None:
        self.keep_note(f"{key}.failed", {"tool": tool, "message": message})

    def scratch(self, key: str) -> Path:
        work = self.root / "tmp" / f"{key}.{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        return work


def _describe(path: Path) -> dict[str, object]:
    sha256, md5, size = hash_file(path)
    return {"name": path.name, "size": size, "sha256": sha256, "md5": md5}


def derive_media(
    plan: Plan,
    blobs: Mapping[str, Blob],
    settings: Settings,
    options: MediaOptions,
    *,
    on_step: Step | None = None,
) -> MediaResult:
    """Convert, transcode and render what ``options`` ask for; cached by input checksum.

    Everything but the recordings' encodings is made first (it is cheap), so the plan
    for the recordings, printed before the first encode, counts the whole package."""
    step = on_step or (lambda message: None)
    cache = DerivedCache(settings.cache_dir)
    notes: list[str] = []
    soffice = office.find_soffice()
    if not soffice and any(f.ext in office.OFFICE_EXTS for f in plan.files) and options.office:
        notes.append(
            "LibreOffice (soffice) is not installed: office documents are packaged "
            "as downloads only, without PDF, Kolibri node or search text"
        )
    ffmpeg = video.have_ffmpeg()
    has_video = any(f.media == "video" for f in plan.files)
    if has_video and not ffmpeg:
        if options.reencodes:
            raise video.MediaToolError(
                "--video-profile and --fit re-encode recordings, which needs ffmpeg and "
                "ffprobe, and they are not installed",
                hint="install them (Debian: apt-get install ffmpeg) or build without these options",
            )
        if options.thumbnails:
            notes.append("ffmpeg is not installed: videos get no poster or Kolibri thumbnail")
    durations = _durations(plan, blobs, options, notes, cache)
    all_blobs = dict(blobs)

    def run(task: Task) -> tuple[Blob, ...]:
        return _run(task, cache, all_blobs, soffice, durations, options, step)

    plan = _convert_office(plan, options, run, all_blobs, notes, have_office=soffice is not None)
    derived_blobs: dict[str, Blob] = {}
    plan = _make_extras(plan, options, run, derived_blobs, notes, have_ffmpeg=ffmpeg)
    pdfs = _pdf_facts(plan, all_blobs, cache)
    fixed = derive.fixed_bytes(plan, text_chars=sum(len(info.text) for info in pdfs.values()))
    encoded = encode_recordings(
        plan,
        options,
        durations,
        fixed=fixed,
        run=lambda task: run(task)[0],
        cached=lambda task: cache.lookup(task.cache_key) is not None,
        step=step,
    )
    notes.extend(encoded.notes)
    plan = derive.apply_conversions(plan, encoded.done)
    for task, blob in encoded.done.items():
        all_blobs[task.of] = blob
    derived = plan.derived
    page_bytes = sum(d.size for d in derived if d.role == "page")
    if page_bytes:
        count = sum(1 for d in derived if d.role == "page")
        step(f"page images for phones: {count} pages, {human_size(page_bytes)}")
    plan = with_media_facts(plan, pdfs, durations)
    return MediaResult(
        plan=plan,
        blobs=all_blobs,
        derived_blobs=derived_blobs,
        notes=tuple(notes),
        derived_keys=tuple(sorted(cache.used)),
    )


Run = Callable[[Task], tuple[Blob, ...]]


def _convert_office(
    plan: Plan,
    options: MediaOptions,
    run: Run,
    blobs: dict[str, Blob],
    notes: list[str],
    *,
    have_office: bool,
) -> Plan:
    """Office documents become PDFs next to their originals (a Note says so)."""
    done: dict[Task, Blob] = {}
    for task in derive.plan_conversions(plan, options, (), have_office=have_office):
        try:
            (done[task],) = run(task)
        except video.MediaToolError as exc:
            notes.append(f"{task.key}: kept as it is: {exc}")
            continue
        notes.append(
            f"{task.key}: {task.input_ext.upper()} converted to PDF for Kolibri and search; "
            "the original is a download in the browser viewer"
        )
    for task, blob in done.items():
        blobs[task.of] = blob
    return derive.apply_conversions(plan, done)


def _make_extras(
    plan: Plan,
    options: MediaOptions,
    run: Run,
    blobs: dict[str, Blob],
    notes: list[str],
    *,
    have_ffmpeg: bool,
) -> Plan:
    """Thumbnails, posters (from the original recordings), page images and subtitles;
    subtitle sources that became tracks leave the plan."""
    derived: list[DerivedFile] = []
    for task in derive.plan_extras(plan, options, have_ffmpeg=have_ffmpeg):
        try:
            outputs = run(task)
        except video.MediaToolError as exc:
            notes.append(f"{task.key}: no {task.kind}: {exc}")
            continue
        made = derive.derived_files(plan, task, outputs)
        derived.extend(made)
        blobs.update({d.dest: b for d, b in zip(made, outputs, strict=True)})
    return derive.without_attached_subtitles(replace(plan, derived=tuple(derived)))


def _pdf_facts(plan: Plan, blobs: Mapping[str, Blob], cache: DerivedCache) -> dict[str, PdfInfo]:
    """Pages and text of every PDF (converted ones too), extracted once per content."""
    found: dict[str, PdfInfo] = {}
    for package_file in plan.files:
        if package_file.ext != "pdf" or package_file.key not in blobs:
            continue
        name = f"pdf-{PDF_FACTS_VERSION}-{package_file.sha256}"
        data = cache.note(name)
        if not isinstance(data, dict):
            info = read_pdf(blobs[package_file.key].path)
            data = (
                {"pages": info.pages, "text": info.text, "page_texts": list(info.page_texts)}
                if info
                else {"unreadable": True}
            )
            cache.keep_note(name, data)
        if "pages" in data:
            found[package_file.key] = PdfInfo(
                pages=int(data["pages"]),
                text=str(data["text"]),
                page_texts=tuple(str(t) for t in data.get("page_texts", ())),
            )
    return found


def _durations(
    plan: Plan,
    blobs: Mapping[str, Blob],
    options: MediaOptions,
    notes: list[str],
    cache: DerivedCache,
) -> dict[str, float]:
    """Durations of the videos (for the viewer, Kolibri, poster frames and --fit); one that
    neither the MP4 header nor ffprobe can tell is noted and left out."""
    probe = video.have_ffmpeg() and (options.reencodes or options.thumbnails)
    found: dict[str, float] = {}
    for package_file in plan.files:
        if package_file.media == "video" and package_file.key in blobs:
            path = blobs[package_file.key].path
            # The MP4 header says it without a process; ffprobe reads everything else.
            seconds = video_duration(path) if is_iso_media(package_file.ext) else None
            if seconds or not probe:
                if seconds:
                    found[package_file.key] = seconds
                continue
            key = f"duration-{package_file.sha256}"
            tool = f"oerpack {__version__}; ffprobe"
            try:
                if (known := cache.failure(key, tool)) is not None:
                    raise video.MediaToolError(known)
                found[package_file.key] = video.probe_duration(path)
            except video.MediaToolError as exc:
                cache.remember_failure(key, tool, exc.message)
                notes.append(f"{package_file.key}: not a playable video? {exc}")
    return found


def _run(
    task: Task,
    cache: DerivedCache,
    blobs: Mapping[str, Blob],
    soffice: str | None,
    durations: Mapping[str, float],
    options: MediaOptions,
    step: Step,
) -> tuple[Blob, ...]:
    """The task's outputs from the cache, made first if missing."""
    key = task.cache_key
    if (found := cache.lookup(key)) is not None:
        return found
    tool = _tool_identity(task, soffice)
    if (message := cache.failure(key, tool)) is not None:
        raise video.MediaToolError(f"{message} (remembered from an earlier build)")
    src = blobs[task.key].path
    doing = f"making the {task.kind} of {task.key}"
    with disk_full_as(cache.root, doing):
        work = cache.scratch(key)
    try:
        with disk_full_as(cache.root, doing):
            names = _make(task, src, work, soffice, durations.get(task.key, 0.0), options, step)
            return cache.store(key, work, names)
    except video.MediaToolError as exc:
        _raise_if_disk_full(cache.root, work, doing, exc)
        cache.remember_failure(key, tool, exc.message)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _raise_if_disk_full(root: Path, work: Path, doing: str, error: video.MediaToolError) -> None:
    """A tool (ffmpeg, LibreOffice) that failed with its disk full most likely failed for
    want of space: that is DiskFullError, and is not remembered as the source's failure."""
    free = free_bytes(work)
    if free < TOOL_FULL_DISK:
        raise DiskFullError(path=root, what=doing, needed=None, free=free) from error


def _tool_identity(task: Task, soffice: str | None) -> str:
    """The program that makes a task's output, down to its installed file: a failure is
    retried once that program is upgraded."""
    program = (
        soffice
        if task.kind == "office-pdf"
        else (
            shutil.which(video.FFMPEG)
            if task.kind in ("transcode", "thumbnail") and task.input_ext != "pdf"
            else None
        )
    )
    if program is None:
        return f"oerpack {__version__}"
    try:
        stamp = os.stat(program).st_mtime_ns
    except OSError:
        stamp = 0
    return f"oerpack {__version__}; {program} {stamp}"


def _make(
    task: Task,
    src: Path,
    work: Path,
    soffice: str | None,
    seconds: float,
    options: MediaOptions,
    step: Step,
) -> list[str]:
    """Produce the task's output files in ``work``; returns their names in order."""
    out = work / f"out.{task.out_ext}"
    if task.kind == "office-pdf":
        assert soffice is not None
        step(f"converting {task.key} ({task.input_ext.upper()}) to PDF")
        office.convert_to_pdf(
            src,
            task.input_ext,
            out,
            soffice=soffice,
            identity=task.cache_key,
            timeout=options.office_timeout,
        )
    elif task.kind == "transcode":
        profile = profile_named(task.profile or "")
        assert profile is not None
        video.transcode(
            src, out, profile, seconds=seconds, on_progress=_encode_progress(task, step)
        )
    elif task.kind == "thumbnail" and task.input_ext == "pdf":
        thumbs.document_thumbnail(src, out)
    elif task.kind == "thumbnail":
        thumbs.video_poster(src, out, seconds=seconds)
    elif task.kind == "pages":
        step(f"rendering page images of {task.key}")
        return [p.name for p in pages.render_pages(src, work)]
    elif task.kind == "subtitle":
        out.write_bytes(subtitles.to_vtt(src.read_bytes(), task.input_ext))
    else:
        raise ValueError(f"unknown derivation {task.kind!r}")
    return [out.name]


def _encode_progress(task: Task, step: Step) -> video.EncodeProgress:
    """Report an encode every 10% (the CLI prints steps as lines)."""
    last = [-1]

    def report(done: float, total: float) -> None:
        percent = int(done * 100 / total) if total else 0
        if percent // 10 > last[0]:
            last[0] = percent // 10
            step(f"encoding {task.key} ({task.profile}): {percent}%")

    return report
