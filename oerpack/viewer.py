"""Render the offline viewer (index.html, assets, search data); the only Jinja2 user."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from . import fatnames
from .filetypes import file_type
from .layout import ASSETS_DIR, INDEX_HTML, SEARCH_DATA, SEARCH_DATA_NAME, cues_path
from .media.derive import reader_path
from .media.subtitles import vtt_cues
from .models import Item, PdfInfo, Section, Text
from .plan import PackageFile, Plan
from .units import human_size


def _browser_type(ext: str) -> str:
    found = file_type(ext)
    return found.browser_type if found else ""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What the build learned by reading a packaged file."""

    pdf: PdfInfo | None = None
    duration: float | None = None


def templates_root() -> Traversable:
    return resources.files("oerpack.templates")


def ui_strings() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(
        (templates_root() / "strings.json").read_text(encoding="utf-8")
    )
    return data


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>`` and a ``.js`` file: no ``</script>``, no HTML."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def human_duration(seconds: float | None) -> str | None:
    """``m:ss`` or ``h:mm:ss``, rounded to the second; None when unknown."""
    if seconds is None:
        return None
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def human_date(day: date, strings: Mapping[str, str]) -> str:
    """``1 October 2020`` in the UI language whose ``strings`` are given."""
    return f"{day.day} {strings[f'month_{day.month}']} {day.year}"


def _environment(*, plain_text: bool = False) -> jinja2.Environment:
    """Strict Jinja2 over the packaged templates: undefined names are errors; HTML is
    autoescaped, ``plain_text`` templates (README.txt) are not."""
    root = templates_root()
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (root / name).read_text(encoding="utf-8")),
        autoescape=not plain_text,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=plain_text,
        lstrip_blocks=plain_text,
    )
    env.filters["script_json"] = script_json
    return env


class _Viewer:
    def __init__(self, plan: Plan, media: Mapping[str, MediaInfo]) -> None:
        self.plan = plan
        self.media = media
        self.strings = ui_strings()
        event = plan.manifest.event
        self.ui_langs = tuple(lang for lang in self.strings)
        self.default_lang = event.languages[0] if event.languages[0] in self.strings else "en"
        self.items = {item.id: item for item in plan.manifest.all_items()}
        self.attached = plan.attached_subtitles()

    def text(self, value: Text | None) -> list[dict[str, Any]]:
        """One rendering per UI language, each with the language it is really in."""
        if value is None:
            return []
        out = []
        fallbacks = self.plan.manifest.event.languages
        table = value.as_dict()
        for lang in self.ui_langs:
            shown = (
                lang
                if lang in table
                else next((f for f in fallbacks if f in table), value.langs()[0])
            )
            out.append(
                {"ui": lang, "lang": shown, "value": table[shown], "fallback": shown != lang}
            )
        return out

    def file_view(self, package_file: PackageFile) -> dict[str, Any]:
        info = self.media.get(package_file.key, MediaInfo())
        item = self.items[package_file.item_id]
        download_name = self.download_name(item, package_file)
        return {
            "key": package_file.key,
            "lang": package_file.lang,
            "media": package_file.media,
            "href": package_file.dest,
            "ext": package_file.ext,
            "mime": _browser_type(package_file.ext),
            "size": human_size(package_file.size),
            "bytes": package_file.size,
            "pages": info.pdf.pages if info.pdf else None,
            "duration": human_duration(info.duration),
            "download_name": download_name,
            **self.derived_view(package_file),
        }

    def download_name(self, item: Item, package_file: PackageFile) -> str:
        """``<item>-<lang>.<ext>``; where two files of the item would share it (two
        sources in one language), ``<item>-<source id>.<ext>``."""

        def plain(f: PackageFile) -> str:
            return f"{item.id}-{f.lang}.{f.ext}"

        name = plain(package_file)
        if sum(1 for f in self.plan.files_of(item) if plain(f) == name) < 2:
            return name
        source_id = package_file.key.removeprefix(f"{item.id}.").replace("~", "-")
        return f"{item.id}-{fatnames.safe_component(source_id)}.{package_file.ext}"

    def derived_view(self, package_file: PackageFile) -> dict[str, Any]:
        """Hrefs of what oerpack.media made for the file: poster, subtitles, page reader."""
        thumbs = self.plan.derived_of(package_file.key, "thumbnail")
        pages = self.plan.derived_of(package_file.key, "page")
        return {
            "poster": thumbs[0].dest if thumbs else None,
            "subtitles": [
                {"href": d.dest, "lang": d.lang, "cues": cue_script_path(d.dest)}
                for d in self.plan.derived_of(package_file.key, "subtitle")
            ],
            "reader": reader_path(package_file.key) if pages else None,
            "page_images": [d.dest for d in pages],
        }

    def shown_files(self, item: Item) -> tuple[PackageFile, ...]:
        """The item's files, without subtitle files that became a video's tracks."""
        attached = self.attached
        return tuple(f for f in self.plan.files_of(item) if f.key not in attached)

    def item_view(self, item: Item) -> dict[str, Any]:
        files = [self.file_view(f) for f in self.shown_files(item)]
        return {
            "id": item.id,
            "kind": item.kind,
            "title": self.text(item.title),
            "group": self.text(item.group),
            "description": self.text(item.description),
            "speakers": [
                {
                    "name": self.text(s.name),
                    "role": self.text(s.role),
                    "organisation": self.text(s.organisation),
                }
                for s in item.speakers
            ],
            "langs": sorted({f["lang"] for f in files}),
            "size": human_size(sum(f["bytes"] for f in files)),
            "files": files,
        }

    def section_view(self, section: Section) -> dict[str, Any]:
        return {
            "id": section.id,
            "title": self.text(section.title),
            "date": section.date.isoformat() if section.date else None,
            "date_text": {
                lang: human_date(section.date, self.strings[lang]) for lang in self.ui_langs
            }
            if section.date
            else None,
            "start": section.start,
            "end": section.end,
            "timezone": section.timezone,
            "organiser": self.text(section.organiser),
            "description": self.text(section.description),
            "entries": [self.item_view(item) for item in section.items],
        }

    def event_dates(self) -> dict[str, str] | None:
        """The first to the last webinar date, per UI language."""
        days = sorted(s.date for s in self.plan.manifest.sections if s.date)
        if not days:
            return None
        out = {}
        for lang in self.ui_langs:
            first, last = (human_date(d, self.strings[lang]) for d in (days[0], days[-1]))
            out[lang] = first if first == last else f"{first} \u2013 {last}"
        return out

    def organisers(self) -> list[list[dict[str, Any]]]:
        seen: list[Text] = []
        for section in self.plan.manifest.sections:
            if section.organiser and section.organiser not in seen:
                seen.append(section.organiser)
        return [self.text(t) for t in seen]

    def context(self) -> dict[str, Any]:
        manifest = self.plan.manifest
        event = manifest.event
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
                "pages": list(event.pages),
                "dates": self.event_dates(),
                "organisers": self.organisers(),
            },
            "documents": [self.item_view(item) for item in manifest.items],
            "sections": [self.section_view(section) for section in manifest.sections],
            "strings": self.strings,
            "ui_langs": self.ui_langs,
            "default_lang": self.default_lang,
            "assets": ASSETS_DIR,
            "search_data": SEARCH_DATA_NAME,
            "has_subtitles": any(d.role == "subtitle" for d in self.plan.derived),
        }

    def search_records(self) -> list[dict[str, Any]]:
        """One record per packaged file: what the search box matches and shows."""
        records = []
        manifest = self.plan.manifest
        where = {
            item.id: section.title.joined()
            for section in manifest.sections
            for item in section.items
        }
        for item in manifest.all_items():
            speakers = " ".join(
                " ".join(t.joined() for t in (s.name, s.role, s.organisation) if t)
                for s in item.speakers
            )
            for package_file in self.shown_files(item):
                info = self.media.get(package_file.key, MediaInfo())
                records.append(
                    {
                        "id": package_file.key,
                        "item": item.id,
                        "lang": package_file.lang,
                        "kind": item.kind,
                        "media": package_file.media,
                        "title": item.title.as_dict(),
                        "speakers": speakers,
                        "description": item.description.joined() if item.description else "",
                        "context": " ".join(
                            filter(
                                None,
                                (where.get(item.id), item.group.joined() if item.group else None),
                            )
                        ),
                        "text": info.pdf.text if info.pdf else "",
                        "href": package_file.dest,
                    }
                )
        return records


def _copy_static(root: Traversable, assets: Path) -> list[Path]:
    written = []
    for entry in sorted((root / "static").iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".js", ".css")):
            target = assets / entry.name
            with entry.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            written.append(target)
    return written


def cue_script_path(vtt_dest: str) -> str:
    """Package-relative path of the script that carries the cues of the VTT at ``vtt_dest``."""
    return cues_path(vtt_dest)


def write_cue_scripts(plan: Plan, out_dir: Path) -> list[Path]:
    """A script per packaged subtitle (VTT already in ``out_dir``) that hands its cues to
    viewer-subtitles.js: Chromium will not load a ``<track src>`` from ``file://`` (each
    file is its own origin) but runs a ``<script src>``."""
    written = []
    for dest in sorted({d.dest for d in plan.derived if d.role == "subtitle"}):
        cues = vtt_cues((out_dir / dest).read_text(encoding="utf-8"))
        target = out_dir / cue_script_path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            "(window.OERPACK_CUES = window.OERPACK_CUES || {})["
            + script_json(dest)
            + "] = "
            + script_json(cues)
            + ";\n",
            encoding="utf-8",
        )
        written.append(target)
    return written


def render_viewer(plan: Plan, media: Mapping[str, MediaInfo], out_dir: Path) -> list[Path]:
    """Write index.html and the viewer's assets into ``out_dir``; returns the written paths."""
    viewer = _Viewer(plan, media)
    html = _environment().get_template("index.html.j2").render(viewer.context())
    written = [out_dir / INDEX_HTML]
    written[0].write_text(html, encoding="utf-8")
    assets = out_dir / ASSETS_DIR
    assets.mkdir(parents=True, exist_ok=True)
    written += _copy_static(templates_root(), assets)
    data = out_dir / SEARCH_DATA
    # A script file, not JSON: browsers refuse fetch/XHR on file:// but run <script src>.
    data.write_text(
        "window.OERPACK_SEARCH = " + script_json(viewer.search_records()) + ";\n"
        "window.OERPACK_STRINGS = " + script_json(viewer.strings) + ";\n",
        encoding="utf-8",
    )
    written.append(data)
    return written + write_cue_scripts(plan, out_dir)


def render_readers(plan: Plan, out_dir: Path) -> list[Path]:
    """A page-by-page reader (``pages/<key>/index.html``) for each document with page
    images: plain HTML that works from ``file://`` on any phone."""
    template = _environment().get_template("reader.html.j2")
    strings = ui_strings()
    lang = plan.manifest.event.languages[0]
    written = []
    for package_file in plan.files:
        pages = plan.derived_of(package_file.key, "page")
        if not pages:
            continue
        item = next(i for i in plan.manifest.all_items() if i.id == package_file.item_id)
        target = out_dir / reader_path(package_file.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            template.render(
                title=item.title.get(package_file.lang, plan.manifest.event.languages),
                lang=package_file.lang,
                strings=strings.get(lang, strings["en"]),
                pages=[{"src": PurePosixPath(p.dest).name, "number": p.index} for p in pages],
                original="../../" + package_file.dest,
            ),
            encoding="utf-8",
        )
        written.append(target)
    return written


def render_readme(context: Mapping[str, Any]) -> str:
    """README.txt for the package root from ``templates/README.txt.j2`` (plain text, so not
    autoescaped; undefined names are still errors)."""
    return _environment(plain_text=True).get_template("README.txt.j2").render(context)


def render_home(context: Mapping[str, Any]) -> str:
    """The home page of a stick holding several packages (``templates/home.html.j2``)."""
    return _environment().get_template("home.html.j2").render(context)
