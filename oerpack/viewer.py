"""Render the offline viewer (index.html, assets, search data); the only Jinja2 user."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from .media.derive import reader_path
from .models import Item, Section, Text
from .pdf import PdfInfo
from .plan import PackageFile, Plan

ASSETS_DIR = "assets"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What the build learned by reading a packaged file."""

    pdf: PdfInfo | None = None
    duration: float | None = None


def templates_root() -> Traversable:
    return resources.files("oerpack.templates")


def ui_strings() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(
        (templates_root() / "strings.json").read_text(encoding="utf-8"))
    return data


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>`` and a ``.js`` file: no ``</script>``, no HTML."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


class _Viewer:
    def __init__(self, plan: Plan, media: Mapping[str, MediaInfo]) -> None:
        self.plan = plan
        self.media = media
        self.strings = ui_strings()
        event = plan.manifest.event
        self.ui_langs = tuple(lang for lang in self.strings)
        self.default_lang = event.languages[0] if event.languages[0] in self.strings else "en"

    def text(self, value: Text | None) -> list[dict[str, Any]]:
        """One rendering per UI language, each with the language it is really in."""
        if value is None:
            return []
        out = []
        fallbacks = self.plan.manifest.event.languages
        table = value.as_dict()
        for lang in self.ui_langs:
            shown = lang if lang in table else next(
                (f for f in fallbacks if f in table), value.langs()[0])
            out.append({"ui": lang, "lang": shown, "value": table[shown],
                        "fallback": shown != lang})
        return out

    def file_view(self, package_file: PackageFile) -> dict[str, Any]:
        info = self.media.get(package_file.key, MediaInfo())
        item = next(i for i in self.plan.manifest.all_items() if i.id == package_file.item_id)
        title = item.title.get(package_file.lang, self.plan.manifest.event.languages)
        download_name = f"{item.id}-{package_file.lang}.{package_file.ext}"
        return {
            "key": package_file.key, "lang": package_file.lang, "media": package_file.media,
            "href": package_file.dest, "ext": package_file.ext,
            "size": human_size(package_file.size), "bytes": package_file.size,
            "pages": info.pdf.pages if info.pdf else None,
            "duration": info.duration, "download_name": download_name, "title": title,
            **self.derived_view(package_file),
        }

    def derived_view(self, package_file: PackageFile) -> dict[str, Any]:
        """Hrefs of what oerpack.media made for the file: poster, subtitles, page reader."""
        thumbs = self.plan.derived_of(package_file.key, "thumbnail")
        pages = self.plan.derived_of(package_file.key, "page")
        return {
            "poster": thumbs[0].dest if thumbs else None,
            "subtitles": [{"href": d.dest, "lang": d.lang}
                          for d in self.plan.derived_of(package_file.key, "subtitle")],
            "reader": reader_path(package_file.key) if pages else None,
            "page_images": [d.dest for d in pages],
        }

    def item_view(self, item: Item) -> dict[str, Any]:
        return {
            "id": item.id, "kind": item.kind, "title": self.text(item.title),
            "group": self.text(item.group), "description": self.text(item.description),
            "speakers": [
                {"name": self.text(s.name), "role": self.text(s.role),
                 "organisation": self.text(s.organisation)} for s in item.speakers],
            "files": [self.file_view(f) for f in self.plan.files_of(item)],
        }

    def section_view(self, section: Section) -> dict[str, Any]:
        return {
            "id": section.id, "title": self.text(section.title),
            "date": section.date.isoformat() if section.date else None,
            "start": section.start, "end": section.end, "timezone": section.timezone,
            "organiser": self.text(section.organiser),
            "description": self.text(section.description),
            "entries": [self.item_view(item) for item in section.items],
        }

    def context(self) -> dict[str, Any]:
        manifest = self.plan.manifest
        event = manifest.event
        return {
            "event": {
                "id": event.id, "title": self.text(event.title),
                "subtitle": self.text(event.subtitle),
                "description": self.text(event.description),
                "publisher": self.text(event.publisher), "license": event.license,
                "license_owner": self.text(event.license_owner),
                "contacts": list(event.contacts), "pages": list(event.pages),
            },
            "documents": [self.item_view(item) for item in manifest.items],
            "sections": [self.section_view(section) for section in manifest.sections],
            "strings": self.strings, "ui_langs": self.ui_langs,
            "default_lang": self.default_lang, "assets": ASSETS_DIR,
        }

    def search_records(self) -> list[dict[str, Any]]:
        records = []
        for item in self.plan.manifest.all_items():
            speakers = " ".join(
                " ".join(t.joined() for t in (s.name, s.role, s.organisation) if t)
                for s in item.speakers)
            for package_file in self.plan.files_of(item):
                info = self.media.get(package_file.key, MediaInfo())
                records.append({
                    "id": package_file.key, "item": item.id, "lang": package_file.lang,
                    "title": item.title.as_dict(), "speakers": speakers,
                    "description": item.description.joined() if item.description else "",
                    "text": info.pdf.text if info.pdf else "",
                    "href": package_file.dest,
                })
        return records


def render_viewer(plan: Plan, media: Mapping[str, MediaInfo], out_dir: Path) -> list[Path]:
    """Write index.html and the viewer's assets into ``out_dir``; returns the written paths."""
    viewer = _Viewer(plan, media)
    root = templates_root()
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (root / name).read_text(encoding="utf-8")),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    env.filters["script_json"] = script_json
    html = env.get_template("index.html.j2").render(viewer.context())
    written = [out_dir / "index.html"]
    written[0].write_text(html, encoding="utf-8")
    assets = out_dir / ASSETS_DIR
    assets.mkdir(parents=True, exist_ok=True)
    static = root / "static"
    for entry in sorted(static.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            target = assets / entry.name
            with entry.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            written.append(target)
    data = assets / "search-data.js"
    data.write_text("window.OERPACK_SEARCH = " + script_json(viewer.search_records()) + ";\n"
                    "window.OERPACK_STRINGS = " + script_json(viewer.strings) + ";\n",
                    encoding="utf-8")
    written.append(data)
    return written


def render_readers(plan: Plan, out_dir: Path) -> list[Path]:
    """A page-by-page reader (``pages/<key>/index.html``) for each document with page
    images: plain HTML that works from ``file://`` on any phone."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (templates_root() / name).read_text(encoding="utf-8")),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.get_template("reader.html.j2")
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
        target.write_text(template.render(
            title=item.title.get(package_file.lang, plan.manifest.event.languages),
            lang=package_file.lang, strings=strings.get(lang, strings["en"]),
            pages=[{"src": PurePosixPath(p.dest).name, "number": p.index} for p in pages],
            original="../../" + package_file.dest), encoding="utf-8")
        written.append(target)
    return written


def render_readme(context: Mapping[str, Any]) -> str:
    """README.txt for the package root from ``templates/README.txt.j2`` (plain text, so not
    autoescaped; undefined names are still errors)."""
    root = templates_root()
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (root / name).read_text(encoding="utf-8")),
        autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    return env.get_template("README.txt.j2").render(context)
