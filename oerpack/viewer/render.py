"""Render the offline viewer (index.html, assets, search data); the only Jinja2 user."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from datetime import date
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..layout import (
    ASSETS_DIR,
    INDEX_HTML,
    SEARCH_DATA,
    SEARCH_DATA_NAME,
    SEARCH_TEXT,
    SEARCH_TEXT_NAME,
)
from ..media.derive import reader_path
from ..media.subtitles import vtt_cues
from ..plan import Plan
from .model import (
    MediaInfo,
    PageModel,
    cue_script_path,
    download_names,
    human_duration,
)

__all__ = [
    "ASSETS_DIR",
    "SEARCH_DATA",
    "MediaInfo",
    "cue_script_path",
    "download_names",
    "human_date",
    "human_duration",
    "place_downloads",
    "render_readers",
    "render_readme",
    "render_viewer",
    "script_json",
    "templates_root",
    "ui_strings",
    "write_cue_scripts",
]

if TYPE_CHECKING:
    import jinja2

STATIC_SUFFIXES = (".js", ".css", ".svg")
ALT_CHARS = 600


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


def human_date(day: date, strings: Mapping[str, str]) -> str:
    """``1 October 2020`` in the UI language whose ``strings`` are given."""
    return f"{day.day} {strings[f'month_{day.month}']} {day.year}"


def _environment(*, plain_text: bool = False) -> jinja2.Environment:
    """Strict Jinja2 over the packaged templates: undefined names are errors; HTML is
    autoescaped, ``plain_text`` templates (README.txt) are not."""
    import jinja2  # here: a rebuild that keeps its package renders nothing

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


def _copy_static(root: Traversable, assets: Path) -> list[Path]:
    written = []
    for entry in sorted((root / "static").iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith(STATIC_SUFFIXES):
            target = assets / entry.name
            with entry.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            written.append(target)
    return written


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
    """Write index.html and the viewer's assets into ``out_dir``; returns the written paths.
    Every link is relative to ``out_dir``, so the same page works from a stick, a zip or a
    ZIM file."""
    model = PageModel(plan, media, ui_strings())
    context = {
        **model.context(),
        "assets": ASSETS_DIR,
        "search_data": SEARCH_DATA_NAME,
        "search_text": SEARCH_TEXT_NAME,
    }
    html = _environment().get_template("index.html.j2").render(context)
    written = [out_dir / INDEX_HTML]
    written[0].write_text(html, encoding="utf-8")
    assets = out_dir / ASSETS_DIR
    assets.mkdir(parents=True, exist_ok=True)
    written += _copy_static(templates_root(), assets)
    data = out_dir / SEARCH_DATA
    # A script file, not JSON: browsers refuse fetch/XHR on file:// but run <script src>.
    # The index is built here, so the browser only parses it.
    data.write_text(
        "window.OERPACK_SEARCH = " + script_json(model.search_data()) + ";\n"
        "window.OERPACK_STRINGS = " + script_json(model.strings) + ";\n",
        encoding="utf-8",
    )
    text = out_dir / SEARCH_TEXT
    text.write_text("window.OERPACK_TEXT = " + script_json(model.search_text()) + ";\n")
    written += [data, text]
    return written + write_cue_scripts(plan, out_dir)


def place_downloads(plan: Plan, out_dir: Path) -> list[Path]:
    """Human-named copies (``files/<item>-<lang>.<ext>``) of the documents already placed in
    ``out_dir``'s storage, so "Download" from ``file://`` saves ``kazakhstan-response-ru.pdf``
    rather than an md5 name (browsers ignore the ``download`` attribute there). Hard-linked
    where the file system allows; recordings are not copied (see ``download_names``)."""
    written = []
    for key, name in sorted(download_names(plan).items()):
        source = out_dir / plan.file_for(key).dest
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        written.append(target)
    return written


def page_alt(texts: tuple[str, ...], number: int, total: int) -> str:
    """A page image's alt text: the page's own text when the build knows it (shortened to
    what a screen reader reads comfortably), else its number."""
    text = texts[number - 1].strip() if number <= len(texts) else ""
    if len(text) > ALT_CHARS:
        text = text[:ALT_CHARS].rsplit(" ", 1)[0] + "…"
    return f"{number} / {total}" + (f": {text}" if text else "")


def render_readers(
    plan: Plan, out_dir: Path, media: Mapping[str, MediaInfo] | None = None
) -> list[Path]:
    """A page-by-page reader (``pages/<key>/index.html``) for each document with page
    images: plain HTML that works from ``file://`` on any phone, labelled in the reader's
    UI language (viewer-lang.js), with "back" returning to the item's card."""
    template = _environment().get_template("reader.html.j2")
    strings = ui_strings()
    model = PageModel(plan, {}, strings)
    written = []
    items = {item.id: item for item in plan.manifest.all_items()}
    for package_file in plan.files:
        pages = plan.derived_of(package_file.key, "page")
        if not pages:
            continue
        item = items[package_file.item_id]
        target = out_dir / reader_path(package_file.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * (len(PurePosixPath(reader_path(package_file.key)).parts) - 1)
        named = model.downloads.get(package_file.key, package_file.dest)
        info = (media or {}).get(package_file.key, MediaInfo())
        texts = info.pdf.page_texts if info.pdf else ()
        target.write_text(
            template.render(
                title=item.title.get(package_file.lang, plan.manifest.event.languages),
                lang=package_file.lang,
                strings=strings,
                ui_langs=model.ui_langs,
                default_lang=model.default_lang,
                pages=[
                    {
                        "src": PurePosixPath(p.dest).name,
                        "number": p.index,
                        "alt": page_alt(texts, p.index, len(pages)),
                    }
                    for p in pages
                ],
                original=up + named,
                back=f"{up}{INDEX_HTML}#item-{item.id}",
                assets=up + ASSETS_DIR,
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
