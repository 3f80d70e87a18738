"""Pure: the entries of an event's ZIM file, what Kiwix's search finds each one by, and the
metadata Kiwix's library shows. Nothing here reads or writes a file."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import PackageError
from ..filetypes import is_stored, mime_of
from ..layout import INDEX_HTML, SUMS_NAME
from ..models import NOT_STATED, Item, Lock, Text
from ..package.checksums import format_sums
from ..plan import PackageFile, Plan

MAIN_PATH = INDEX_HTML
#: ISO 639-1 (the manifest's codes) to ISO 639-3 (what ZIM metadata and Xapian want).
ISO639_3 = {
    "ar": "ara",
    "de": "deu",
    "en": "eng",
    "es": "spa",
    "fr": "fra",
    "kk": "kaz",
    "ky": "kir",
    "ru": "rus",
    "tg": "tgk",
    "uz": "uzb",
    "zh": "zho",
}
#: Lengths the openZIM metadata conventions ask for (Kiwix cuts longer ones anyway).
TITLE_MAX = 30
DESCRIPTION_MAX = 80
LONG_DESCRIPTION_MAX = 4000


@dataclass(frozen=True, slots=True)
class Indexed:
    """What Kiwix's full-text search finds an entry by (Xapian, stemmed)."""

    title: str
    text: str


@dataclass(frozen=True, slots=True)
class ZimEntry:
    """One entry of the ZIM: its content comes from ``file`` or ``data``."""

    path: str
    mime: str
    title: str = ""
    file: Path | None = None
    data: bytes | None = None
    #: Known digest of the content (media verified on the way into the cache).
    sha256: str | None = None
    index: Indexed | None = None
    #: A "front article": offered in Kiwix's title suggestions and counted as an article.
    front: bool = False
    #: Set on a redirect: the path of the entry it stands for (no content of its own).
    redirect: str | None = None

    @property
    def compress(self) -> bool:
        """Media are stored as they are (the file-type table's "stored"): compressed already,
        and stored clusters let kiwix-serve answer the byte ranges a video player asks for."""
        return not is_stored(_ext(self.path))


def _ext(path: str) -> str:
    return path.rsplit("/", 1)[-1].rpartition(".")[2].lower()


def mime_type(path: str) -> str:
    """The file-type table's MIME type; the viewer's own web files (HTML, CSS, JS) are not
    media, so the standard library names those."""
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return mime_of(_ext(path)) or guessed or "application/octet-stream"


def zim_language(languages: Iterable[str]) -> str:
    """``eng,rus``: the event's languages as ISO 639-3, in the manifest's order."""
    codes = []
    for lang in languages:
        if lang not in ISO639_3:
            raise PackageError(
                f"language {lang!r} has no ISO 639-3 code known to oerpack's ZIM writer",
                hint="build without --zim, or add the code to oerpack/zim/entries.py",
            )
        codes.append(ISO639_3[lang])
    return ",".join(codes)


def index_language(languages: tuple[str, ...]) -> str:
    """The full-text index stems one language: Russian when the event has it (the
    region's shared language, where stemming matters most), else the first."""
    return "rus" if "ru" in languages else zim_language(languages[:1])


def zim_name(plan: Plan) -> str:
    """Kiwix's stable book name ``<project>_<lang>_<selection>``: same across versions,
    so a library replaces an older ZIM of the event with a newer one."""
    langs = plan.manifest.event.languages
    lang = ISO639_3.get(langs[0], langs[0]) if len(langs) == 1 else "mul"
    return f"oerpack_{lang}_{plan.package_id}"


def both_titles(text: Text, first: str) -> str:
    """Every language's title, ``first`` first: ``Talk / Доклад``."""
    table = text.as_dict()
    ordered = [table[first]] if first in table else []
    ordered += [value for lang, value in text.values if value not in ordered]
    return " / ".join(ordered)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,.;:-") + "…"


def zim_date(plan: Plan, lock: Lock) -> str:
    """The day of the newest content: the latest fetch in the lock, else the event's last
    day (never the build day, so that the same input gives the same ZIM)."""
    fetched = [e.fetched_at[:10] for _, e in lock.sources if e.fetched_at]
    days = [s.date.isoformat() for s in plan.manifest.sections if s.date]
    found = max(fetched) if fetched else max(days) if days else None
    return found or "1970-01-01"


def zim_metadata(plan: Plan, lock: Lock) -> tuple[tuple[str, str], ...]:
    """What Kiwix's library shows; a licence that is not stated is left out, not invented."""
    event = plan.manifest.event
    first = event.languages[0]
    summary = event.subtitle or event.description or event.title
    long_text = "\n\n".join(v for _, v in event.description.values) if event.description else ""
    media = {f.media for f in plan.files}
    pictures = any(d.role in ("thumbnail", "page") for d in plan.derived)
    tags = [
        "oerpack",
        "education",
        "_ftindex:yes",
        f"_pictures:{'yes' if pictures else 'no'}",
        f"_videos:{'yes' if 'video' in media else 'no'}",
    ]
    pairs = [
        ("Name", zim_name(plan)),
        ("Title", shorten(event.title.get(first), TITLE_MAX)),
        ("Description", shorten(summary.get(first), DESCRIPTION_MAX)),
        ("Language", zim_language(event.languages)),
        ("Creator", event.publisher.get(first)),
        ("Publisher", "oerpack"),
        ("Date", zim_date(plan, lock)),
        ("Tags", ";".join(tags)),
        ("Scraper", f"oerpack {__version__}"),
    ]
    if long_text and len(" ".join(long_text.split())) > DESCRIPTION_MAX:
        pairs.append(("LongDescription", shorten(long_text, LONG_DESCRIPTION_MAX)))
    if event.pages:
        pairs.append(("Source", event.pages[0]))
    if event.license != NOT_STATED:
        owner = f" ({event.license_owner.get(first)})" if event.license_owner else ""
        pairs.append(("License", event.license + owner))
    return tuple(pairs)


def _item_text(item: Item) -> str:
    """Titles, speakers and description: what a recording is found by."""
    parts = [item.title.joined()]
    for speaker in item.speakers:
        parts += [t.joined() for t in (speaker.name, speaker.role, speaker.organisation) if t]
    if item.description:
        parts.append(item.description.joined())
    return "\n".join(parts)


def media_entries(
    plan: Plan, files: Mapping[str, Path], spoken: Mapping[str, str]
) -> list[ZimEntry]:
    """Each media file once (at its package path), indexed by both languages' titles and
    its text (a PDF's extracted text, a recording's subtitles in ``spoken``), then the
    posters, thumbnails, page images and subtitles. ``files`` maps package paths to the
    verified bytes on disk."""
    items = {item.id: item for item in plan.manifest.all_items()}
    attached = plan.attached_subtitles()
    entries: dict[str, ZimEntry] = {}
    for package_file in plan.files:
        if package_file.dest in entries:
            continue
        item = items[package_file.item_id]
        title = f"{both_titles(item.title, package_file.lang)} ({package_file.lang.upper()})"
        text = "\n".join(
            filter(
                None,
                (_item_text(item), _pdf_text(package_file), spoken.get(package_file.key)),
            )
        )
        entries[package_file.dest] = ZimEntry(
            path=package_file.dest,
            mime=mime_type(package_file.dest),
            title=title,
            file=files[package_file.dest],
            sha256=package_file.sha256,
            index=None if package_file.key in attached else Indexed(title=title, text=text),
            front=package_file.key not in attached,
        )
    for extra in plan.derived:
        entries.setdefault(
            extra.dest,
            ZimEntry(
                path=extra.dest,
                mime=mime_type(extra.dest),
                file=files[extra.dest],
                sha256=extra.sha256,
            ),
        )
    return [entries[path] for path in sorted(entries)]


def _pdf_text(package_file: PackageFile) -> str:
    return package_file.pdf.text if package_file.pdf else ""


def page_entry(
    path: str, data: bytes, *, title: str = "", index: Indexed | None = None
) -> ZimEntry:
    """A rendered page or asset; the main page is a front article, others are not."""
    return ZimEntry(
        path=path,
        mime=mime_type(path),
        title=title,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        index=index,
        front=path == MAIN_PATH,
    )


def redirect_entries(plan: Plan, names: Mapping[str, str]) -> list[ZimEntry]:
    """Other names (``names``: package file key -> path) for media already in the ZIM, as
    redirects: the viewer's human-named downloads, without a second copy of the bytes."""
    return [
        ZimEntry(path=name, mime=mime_type(name), redirect=plan.file_for(key).dest)
        for key, name in sorted(names.items(), key=lambda pair: pair[1])
    ]


def sums_entry(entries: Iterable[ZimEntry]) -> ZimEntry:
    """``SHA256SUMS`` of every other entry with content (redirects have none), so
    ``oerpack verify`` can check a copied ZIM entry by entry (libzim's own MD5 says only
    that *something* changed)."""
    sums = {}
    for entry in entries:
        if entry.redirect is not None:
            continue
        assert entry.sha256 is not None, entry.path
        sums[entry.path] = entry.sha256
    data = format_sums(sums).encode("utf-8")
    return ZimEntry(path=SUMS_NAME, mime="text/plain", data=data)
