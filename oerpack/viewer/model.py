"""What the offline viewer shows, built from a plan (pure): cards, players, search data.

Every text is rendered once per UI language (the page switches languages with CSS, so it
works without JavaScript); dates, times, zones and sizes are formatted here by CLDR rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..fatnames import safe_component
from ..filetypes import file_type
from ..layout import cues_path, download_path
from ..media.derive import reader_path
from ..models import Item, PdfInfo, Section, Text
from ..plan import PackageFile, Plan
from .i18n import SIZE_UNITS, date_range, long_date, size_text, time_span, utc_offset, zone_city
from .searchindex import build_index

#: Files up to this size get a human-named copy; larger ones (recordings) are stored once.
NAMED_COPY_LIMIT = 200_000_000
KIND_ORDER = {"recording": 0, "presentation": 1, "document": 2}


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What the build learned by reading a packaged file."""

    pdf: PdfInfo | None = None
    duration: float | None = None


def human_duration(seconds: float | None) -> str | None:
    """``m:ss`` or ``h:mm:ss``, rounded to the second; None when unknown."""
    if seconds is None:
        return None
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def human_name(f: PackageFile) -> str:
    """The name a teacher's browser saves a file under: ``<item>-<source>.<ext>``."""
    return safe_component(f"{f.key.replace('.', '-')}.{f.ext}")


def download_names(plan: Plan) -> dict[str, str]:
    """Package path of the human-named copy of each file that gets one (``files/
    kazakhstan-response-ru.pdf``): documents and other small files. Recordings are stored
    once, in Kolibri's storage, so a package never holds large media twice."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for f in plan.files:
        if f.media == "video" or f.size > NAMED_COPY_LIMIT:
            continue
        name = human_name(f)
        if name.lower() in taken:
            name = safe_component(f"{f.key}.{f.ext}")
        taken.add(name.lower())
        chosen[f.key] = download_path(name)
    return chosen


class PageModel:
    """The viewer's page model of ``plan`` for the UI languages of ``strings``."""

    def __init__(
        self, plan: Plan, media: Mapping[str, MediaInfo], strings: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.plan = plan
        self.media = media
        self.strings = strings
        event = plan.manifest.event
        self.ui_langs = tuple(strings)
        self.default_lang = event.languages[0] if event.languages[0] in strings else "en"
        self.attached = plan.attached_subtitles()
        self.downloads = download_names(plan)
        self.section_of = {i.id: s for s in plan.manifest.sections for i in s.items}

    # ---- texts ----
    def text(self, value: Text | None) -> list[dict[str, Any]]:
        """One rendering per UI language, each with the language it is really in."""
        if value is None:
            return []
        table = value.as_dict()
        out = []
        for lang in self.ui_langs:
            shown = lang if lang in table else self._fallback(table, value)
            out.append(
                {"ui": lang, "lang": shown, "value": table[shown], "fallback": shown != lang}
            )
        return out

    def _fallback(self, table: Mapping[str, str], value: Text) -> str:
        order = self.plan.manifest.event.languages
        return next((f for f in order if f in table), value.langs()[0])

    def per_lang(self, make: Any) -> dict[str, str]:
        return {lang: make(lang) for lang in self.ui_langs}

    def size(self, size: int) -> dict[str, str]:
        return self.per_lang(
            lambda lang: size_text(
                size, lang, {u: self.strings[lang][f"unit_{u}"] for u in SIZE_UNITS}
            )
        )

    # ---- files and items ----
    def shown_files(self, item: Item) -> tuple[PackageFile, ...]:
        """The item's files, without subtitle files that became a video's tracks."""
        return tuple(f for f in self.plan.files_of(item) if f.key not in self.attached)

    def file_view(self, f: PackageFile) -> dict[str, Any]:
        info = self.media.get(f.key, MediaInfo())
        named = self.downloads.get(f.key)
        thumbs = self.plan.derived_of(f.key, "thumbnail")
        pages = self.plan.derived_of(f.key, "page")
        return {
            "key": f.key,
            "lang": f.lang,
            "media": f.media,
            "href": f.dest,
            "open_href": named or f.dest,
            "download_href": named or f.dest,
            # Browsers honour it where the page and the file share an origin (a served
            # package, Kiwix); from file:// the named copy is what gives the name.
            "download_name": PurePosixPath(named).name if named else human_name(f),
            "ext": f.ext,
            "mime": _browser_type(f.ext),
            "size": self.size(f.size),
            "bytes": f.size,
            "pages": info.pdf.pages if info.pdf else None,
            "duration": human_duration(info.duration),
            "poster": thumbs[0].dest if thumbs else None,
            "subtitles": [
                {"href": d.dest, "lang": d.lang, "cues": cue_script_path(d.dest)}
                for d in self.plan.derived_of(f.key, "subtitle")
            ],
            "reader": reader_path(f.key) if pages else None,
        }

    def primary(self, files: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
        """The file a reader of UI language ``lang`` sees first."""
        if not files:
            return None
        order = [lang, *self.plan.manifest.event.languages]
        return min(files, key=lambda f: order.index(f["lang"]) if f["lang"] in order else 99)

    def item_view(self, item: Item) -> dict[str, Any]:
        files = [self.file_view(f) for f in self.shown_files(item)]
        videos = [f for f in files if f["media"] == "video"]
        speakers = [
            {
                "name": self.text(s.name),
                "role": self.text(s.role),
                "organisation": self.text(s.organisation),
            }
            for s in item.speakers
        ]
        texts = [self.text(t) for t in (item.title, item.group, item.description)]
        texts += [r for s in speakers for r in (s["role"], s["organisation"])]
        other_only = {r["ui"]: r["lang"] for rendering in texts for r in rendering if r["fallback"]}
        primary = {lang: self.primary(files, lang) for lang in self.ui_langs}
        player = {lang: self.primary(videos, lang) for lang in self.ui_langs}
        return {
            "id": item.id,
            "kind": item.kind,
            "title": self.text(item.title),
            "group": self.text(item.group),
            "description": self.text(item.description),
            "speakers": speakers,
            "langs": sorted({f["lang"] for f in files}),
            "files": files,
            "videos": videos,
            "player_key": {lang: v["key"] for lang, v in player.items() if v},
            "thumb": {lang: (f["poster"] if f else None) for lang, f in primary.items()},
            "pages": {lang: (f["pages"] if f else None) for lang, f in primary.items()},
            "duration": next((v["duration"] for v in videos if v["duration"]), None),
            "other_only": other_only,
        }

    def section_view(self, section: Section) -> dict[str, Any]:
        items = sorted(section.items, key=lambda i: KIND_ORDER.get(i.kind, 9))
        return {
            "id": section.id,
            "title": self.text(section.title),
            "when": self.when(section),
            "datetime": self.machine_time(section),
            "organiser": self.text(section.organiser),
            "description": self.text(section.description),
            "entries": [self.item_view(item) for item in items],
        }

    def when(self, section: Section) -> dict[str, str] | None:
        """``25 сентября 2020 г., 11:00—12:30 (Алматы)`` per UI language."""
        if not section.date and not section.start:
            return None
        out = {}
        for lang in self.ui_langs:
            parts = [long_date(section.date, lang)] if section.date else []
            if section.start:
                clock = time_span(section.start, section.end, lang)
                if section.timezone:
                    clock += f" ({zone_city(section.timezone, lang)})"
                parts.append(clock)
            out[lang] = ", ".join(parts)
        return out

    @staticmethod
    def machine_time(section: Section) -> str | None:
        if not section.date:
            return None
        if not (section.start and section.timezone):
            return section.date.isoformat()
        offset = utc_offset(section.date, section.start, section.timezone)
        return f"{section.date.isoformat()}T{section.start}{offset or ''}"

    def event_dates(self) -> dict[str, str] | None:
        days = sorted(s.date for s in self.plan.manifest.sections if s.date)
        if not days:
            return None
        return self.per_lang(lambda lang: date_range(days[0], days[-1], lang))

    def organisers(self) -> list[list[dict[str, Any]]]:
        seen: list[Text] = []
        for section in self.plan.manifest.sections:
            if section.organiser and section.organiser not in seen:
                seen.append(section.organiser)
        return [self.text(t) for t in seen]

    def context(self) -> dict[str, Any]:
        manifest = self.plan.manifest
        event = manifest.event
        documents = sorted(manifest.items, key=lambda i: KIND_ORDER.get(i.kind, 9))
        return {
            "event": {
                "id": event.id,
                "title": self.text(event.title),
                "subtitle": self.text(event.subtitle),
                "description": self.text(event.description),
                "publisher": self.text(event.publisher),
                "license": event.license,
                "license_owner": self.text(event.license_owner),
                "contacts": list(event.contacts),
                "dates": self.event_dates(),
                "organisers": self.organisers(),
            },
            "documents": [self.item_view(item) for item in documents],
            "sections": [self.section_view(section) for section in manifest.sections],
            "counts": {
                "recording": sum(1 for i in manifest.all_items() if i.kind == "recording"),
                "read": sum(1 for i in manifest.all_items() if i.kind != "recording"),
            },
            "strings": self.strings,
            "ui_langs": self.ui_langs,
            "default_lang": self.default_lang,
            "has_subtitles": any(d.role == "subtitle" for d in self.plan.derived),
        }

    # ---- search ----
    def search_data(self) -> dict[str, Any]:
        """One record per item (its files under it) and the inverted index over them."""
        records, docs = [], []
        for item in self.plan.manifest.all_items():
            files = self.shown_files(item)
            records.append(self.search_record(item, files))
            docs.append(self.search_doc(item, files))
        return {"items": records, **build_index(docs)}

    def search_record(self, item: Item, files: tuple[PackageFile, ...]) -> dict[str, Any]:
        section = self.section_of.get(item.id)
        return {
            "id": item.id,
            "kind": item.kind,
            "title": item.title.as_dict(),
            "where": section.title.as_dict() if section else {},
            "files": [
                {
                    "key": f.key,
                    "lang": f.lang,
                    "media": f.media,
                    "href": self.downloads.get(f.key, f.dest),
                }
                for f in files
            ],
        }

    def search_text(self) -> dict[str, str]:
        """Each document's text by file key, for result snippets (kept out of the index so
        search is ready before the bulk of the text has arrived)."""
        out = {}
        for item in self.plan.manifest.all_items():
            for f in self.shown_files(item):
                text = self._pdf_text(f)
                if text:
                    out[f.key] = text
        return out

    def _pdf_text(self, f: PackageFile) -> str:
        info = self.media.get(f.key, MediaInfo())
        return info.pdf.text if info.pdf else ""

    def search_doc(self, item: Item, files: tuple[PackageFile, ...]) -> dict[str, list[str]]:
        """What each field of an item says, in every language: the kind, languages and dates
        are words too ("запись", "видео", "вебинар 2", "recording", "презентация")."""
        section = self.section_of.get(item.id)
        meta = []
        for table in self.strings.values():
            meta.append(table[f"search_kind_{item.kind}"])
            meta += [table[f"lang_{f.lang}"] for f in files if f"lang_{f.lang}" in table]
            if any(f.media == "video" for f in files):
                meta.append(table["search_kind_recording"])
        context = [item.group.joined()] if item.group else []
        if section:
            context.append(section.title.joined())
            if section.date:
                context += [long_date(section.date, lang) for lang in self.ui_langs]
        return {
            "title": [item.title.joined()],
            "meta": meta,
            "speakers": [
                t.joined() for s in item.speakers for t in (s.name, s.role, s.organisation) if t
            ],
            "context": context,
            "description": [item.description.joined()] if item.description else [],
            "text": [self._pdf_text(f) for f in files],
        }


def _browser_type(ext: str) -> str:
    found = file_type(ext)
    return found.browser_type if found else ""


def cue_script_path(vtt_dest: str) -> str:
    """Package-relative path of the script that carries the cues of the VTT at ``vtt_dest``."""
    return cues_path(vtt_dest)
