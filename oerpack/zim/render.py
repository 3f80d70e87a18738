"""Render a plan as a ZIM file: the viewer and page readers (oerpack.viewer's own renderers),
every media file once, indexes and metadata, written with libzim."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import PackageError
from ..filetypes import MediaKind
from ..media.derive import reader_path
from ..media.subtitles import vtt_cues
from ..models import Blob, Lock
from ..plan import Plan
from ..viewer import MediaInfo, download_names, render_readers, render_viewer
from .entries import (
    MAIN_PATH,
    Indexed,
    ZimEntry,
    both_titles,
    index_language,
    media_entries,
    page_entry,
    redirect_entries,
    sums_entry,
    zim_metadata,
)
from .icon import icon_from_image, plain_icon

_CSP = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
#: What a served page needs on top of the file:// policy: Kiwix's own bar, which
#: kiwix-serve injects into every page (its scripts and styles under /skin, its suggestions
#: by XHR, its search form). Everything stays same-origin; nothing outside is allowed.
_SERVED = {
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
}


def served_policy(policy: str) -> str:
    """The page's Content-Security-Policy for a server: ``file:`` sources dropped, the
    same origin allowed where Kiwix's bar needs it."""
    directives: dict[str, list[str]] = {}
    for part in filter(str.strip, policy.split(";")):
        name, *tokens = part.split()
        directives[name] = [t for t in tokens if t != "file:"]
    for name, token in _SERVED.items():
        tokens = [t for t in directives.get(name, []) if t != "'none'"]
        directives[name] = tokens if token in tokens else [token, *tokens]
    return "; ".join(" ".join([name, *tokens]) for name, tokens in directives.items())


def served_page(html: bytes, name: str) -> bytes:
    """A rendered page with its policy adapted to being served (see served_policy)."""
    page, count = _CSP.subn(
        lambda m: m[1] + served_policy(m[2].decode("utf-8")).encode("utf-8") + m[3], html
    )
    if count > 1 or (count == 0 and b"Content-Security-Policy" in html):
        raise PackageError(f"{name}: cannot adapt its Content-Security-Policy for serving")
    return page


@dataclass(frozen=True, slots=True)
class ZimResult:
    path: Path
    size: int
    entries: int


def media_files(
    plan: Plan, blobs: Mapping[str, Blob], derived_blobs: Mapping[str, Blob]
) -> dict[str, Path]:
    """Package path -> the verified bytes on disk (as the package folder places them)."""
    files = {f.dest: blobs[f.key].path for f in plan.files}
    files.update({d.dest: derived_blobs[d.dest].path for d in plan.derived})
    return files


def _spoken(plan: Plan, files: Mapping[str, Path]) -> dict[str, str]:
    """Each recording's subtitle text, for the full-text index."""
    spoken: dict[str, list[str]] = {}
    for sub in plan.derived:
        if sub.role == "subtitle":
            cues = vtt_cues(files[sub.dest].read_text(encoding="utf-8"))
            spoken.setdefault(sub.of, []).extend(text for _, _, text in cues)
    return {key: "\n".join(lines) for key, lines in spoken.items()}


def _rendered_pages(
    plan: Plan, media: Mapping[str, MediaInfo], files: Mapping[str, Path]
) -> list[ZimEntry]:
    """The viewer and the page readers, rendered by oerpack.viewer into a scratch folder
    (the cue scripts are made from the subtitles, so those are placed there first)."""
    event = plan.manifest.event
    first = event.languages[0]
    with tempfile.TemporaryDirectory(prefix="oerpack-zim-") as scratch:
        root = Path(scratch)
        for sub in plan.derived:
            if sub.role == "subtitle":
                (root / sub.dest).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(files[sub.dest], root / sub.dest)
        written = render_viewer(plan, media, root) + render_readers(plan, root, media)
        titles = _reader_titles(plan)
        titles[MAIN_PATH] = both_titles(event.title, first)
        pages = []
        for path in sorted(written):
            name = path.relative_to(root).as_posix()
            main = name == MAIN_PATH
            title = titles.get(name, "")
            index = (
                Indexed(title=title, text=event.description.joined() if event.description else "")
                if main
                else None
            )
            data = path.read_bytes()
            if name.endswith(".html"):
                data = served_page(data, name)
            pages.append(page_entry(name, data, title=title, index=index))
    return pages


def _reader_titles(plan: Plan) -> dict[str, str]:
    """What Kiwix lists a page reader as: the document's titles, language and "pages"."""
    items = {item.id: item for item in plan.manifest.all_items()}
    return {
        reader_path(f.key): f"{both_titles(items[f.item_id].title, f.lang)} "
        f"({f.lang.upper()}, pages)"
        for f in plan.files
        if plan.derived_of(f.key, "page")
    }


def _illustration(plan: Plan, files: Mapping[str, Path]) -> bytes:
    """The first video's poster (a picture says more at 48 px than a page of text), else
    the first document thumbnail, else a plain icon."""
    videos = {f.key for f in plan.files if f.media == MediaKind.VIDEO}
    thumbs = [d for d in plan.derived if d.role == "thumbnail"]
    thumbs.sort(key=lambda d: d.of not in videos)  # stable: plan order within each group
    return icon_from_image(files[thumbs[0].dest]) if thumbs else plain_icon(plan.package_id)


def zim_entries(plan: Plan, files: Mapping[str, Path]) -> list[ZimEntry]:
    """Every entry of the event's ZIM, SHA256SUMS last; ``files`` from media_files."""
    media = {
        f.key: MediaInfo(pdf=f.pdf, duration=f.duration)
        for f in plan.files
        if f.pdf is not None or f.duration is not None
    }
    media_part = media_entries(plan, files, _spoken(plan, files))
    taken = {e.path for e in media_part}
    pages = [p for p in _rendered_pages(plan, media, files) if p.path not in taken]
    # The viewer's human-named downloads (files/…): redirects, the bytes stay stored once.
    named = redirect_entries(plan, download_names(plan))
    found = sorted(media_part + pages + named, key=lambda e: e.path)
    return [*found, sums_entry(found)]


def write_event_zim(
    plan: Plan,
    blobs: Mapping[str, Blob],
    derived_blobs: Mapping[str, Blob],
    target: Path,
    *,
    lock: Lock,
) -> ZimResult:
    """Write the event's ZIM at ``target`` (whole or not at all): ``blobs`` are the package
    files' bytes by key, ``derived_blobs`` the derived files' by dest."""
    from .zimfile import write_zim  # libzim loads only when a ZIM is asked for

    files = media_files(plan, blobs, derived_blobs)
    entries = zim_entries(plan, files)
    write_zim(
        target,
        entries,
        zim_metadata(plan, lock),
        illustration=_illustration(plan, files),
        main_path=MAIN_PATH,
        index_language=index_language(plan.manifest.event.languages),
    )
    return ZimResult(path=target, size=target.stat().st_size, entries=len(entries))
