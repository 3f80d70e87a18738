"""The rendered viewer, checked structurally without a browser (fast)."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from oerpack.layout import ASSETS_DIR, SEARCH_DATA, SEARCH_DATA_NAME
from oerpack.units import human_size
from oerpack.viewer import (
    human_date,
    human_duration,
    render_viewer,
    script_json,
    templates_root,
    ui_strings,
)
from tests.support.viewer_data import HOSTILE, synthetic_plan


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text outside <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag
            and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]


def _render(tmp_path: Path, items: int = 12, **kwargs: Any) -> tuple[Path, _Page]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    plan, media = synthetic_plan(items, **kwargs)
    render_viewer(plan, media, tmp_path)
    page = _Page()
    page.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    return tmp_path, page


def _search_data(out: Path) -> list[dict[str, Any]]:
    text = (out / SEARCH_DATA).read_text(encoding="utf-8")
    match = re.match(
        r"window\.OERPACK_SEARCH = (.*);\nwindow\.OERPACK_STRINGS = (.*);\n$", text, re.S
    )
    assert match, text[:200]
    assert json.loads(match.group(2)) == ui_strings()
    records: list[dict[str, Any]] = json.loads(match.group(1))
    return records


def test_every_item_and_file_has_an_anchor(tmp_path: Path) -> None:
    _, page = _render(tmp_path, items=12)
    articles = page.find("article")
    assert [a["id"] for a in articles] == [f"item-item-{n:04d}" for n in range(12)]
    assert len(page.find("li", class_="file file-document")) == 2 * 10
    assert len(page.find("video")) == 2 * 2  # items 4 and 9 are recordings
    assert {a["id"] for a in page.find("section", class_="section")} == {
        "section-webinar-1",
        "section-webinar-2",
    }


def test_files_show_size_pages_duration_and_links(tmp_path: Path) -> None:
    out, page = _render(tmp_path, items=5)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "30:04" in html  # item 4 is a 1804 s video
    assert "10 " in html and "стр." in html  # item 0's PDF has 10 pages
    pdf_links = page.find("a", class_="open", type="application/pdf")
    assert len(pdf_links) == 8
    assert all(
        a["href"] and a["href"].startswith("KOLIBRI_DATA/content/storage/") for a in pdf_links
    )
    downloads = page.find("a", class_="download")
    assert len(downloads) == 10
    assert downloads[0]["download"] == "item-0000-en.pdf"
    video = page.find("video")[0]
    assert video["preload"] == "none" and "controls" in video
    assert page.find("source")[0]["type"] == "video/mp4"


def test_nothing_points_outside_the_package(tmp_path: Path) -> None:
    out, page = _render(tmp_path, items=6)
    packaged = {f.dest for f in synthetic_plan(6)[0].files}
    for tag, attrs in page.tags:
        for name in ("src", "href", "poster", "data-search-data", "data-search-lib"):
            value = attrs.get(name)
            if value is None or value.startswith("#"):
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value), (tag, name, value)
            assert value in packaged or (out / value).is_file(), (tag, name, value)
    csp = page.find("meta", http_equiv="Content-Security-Policy")
    assert len(csp) == 1
    policy = csp[0]["content"] or ""
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "http" not in policy and "*" not in policy


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    out, page = _render(tmp_path, items=3, hostile_every=1)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert len(page.find("script")) == 2  # viewer-lang.js and viewer.js, nothing injected
    assert not page.find("img")
    assert HOSTILE.strip() in "".join(page.text)
    data = (out / SEARCH_DATA).read_text(encoding="utf-8")
    assert "<" not in data and ">" not in data and "\u2028" not in data
    assert _search_data(out)[0]["title"]["en"] == HOSTILE


def test_fallback_language_is_badged(tmp_path: Path) -> None:
    _, page = _render(tmp_path, items=5)  # item 4 has no Russian title
    html = "".join(page.text)
    assert "Talk 4: distance" in html
    badges = page.find("abbr", class_="badge fallback")
    assert badges, "an English title shown in the Russian UI needs a badge"
    assert all(b["title"] == ui_strings()["ru"]["other_language"] for b in badges)
    ru_spans = page.find("span", class_="i18n i18n-ru", lang="en")
    assert ru_spans, "the fallback text keeps its real language in lang="


def test_search_records_hold_pdf_text_and_context(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, items=3, text_chars=300)
    records = _search_data(out)
    assert [r["id"] for r in records] == [
        f"item-{n:04d}.{lang}" for n in range(3) for lang in ("en", "ru")
    ]
    ru = records[1]
    assert ru["lang"] == "ru" and len(ru["text"]) >= 300 and "Вебинар 1" in ru["context"]
    assert ru["title"] == {"en": "Talk 0: education", "ru": "Доклад 0: образование"}
    assert "Institute 0" in ru["speakers"]


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    first, _ = _render(tmp_path / "a", items=8)
    second, _ = _render(tmp_path / "b", items=8)
    for name in ("index.html", SEARCH_DATA):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_assets_are_copied_but_not_the_vendoring_notes(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, items=1)
    names = sorted(p.name for p in (out / ASSETS_DIR).iterdir())
    assert names == [
        "minisearch.js",
        SEARCH_DATA_NAME,
        "viewer-lang.js",
        "viewer-subtitles.js",
        "viewer.css",
        "viewer.js",
    ]
    header = (out / ASSETS_DIR / "minisearch.js").read_text(encoding="utf-8")[:400]
    assert "MiniSearch 7.2.0" in header and "MIT" in header


def test_every_ui_string_used_exists_in_both_languages() -> None:
    strings = ui_strings()
    assert strings["en"].keys() == strings["ru"].keys()
    used: set[str] = set()
    for name in ("index.html.j2", "_macros.html.j2"):
        used |= set(
            re.findall(r'\bs\("([a-z_]+)"\)', (templates_root() / name).read_text(encoding="utf-8"))
        )
    js = (templates_root() / "static" / "viewer.js").read_text(encoding="utf-8")
    used |= set(re.findall(r'\bstr\("([a-z_]+)"\)', js))
    used |= {f"kind_{kind}" for kind in ("presentation", "recording", "document")}
    used |= {"page", "pages"}
    assert used, "the templates should use UI strings"
    assert used <= strings["en"].keys(), used - strings["en"].keys()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, None),
        (0, "0:00"),
        (3.4, "0:03"),
        (59.6, "1:00"),
        (605, "10:05"),
        (3600, "1:00:00"),
        (3723.2, "1:02:03"),
        (36000, "10:00:00"),
    ],
)
def test_human_duration(seconds: float | None, text: str | None) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (13053, "13.1 KB"),
        (24_051_000, "24.1 MB"),
        (3_500_000_000, "3.5 GB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(("lang", "text"), [("en", "1 October 2020"), ("ru", "1 октября 2020")])
def test_human_date(lang: str, text: str) -> None:
    assert human_date(date(2020, 10, 1), ui_strings()[lang]) == text


@pytest.mark.parametrize(
    "value",
    [
        "</script><script>alert(1)</script>",
        "a & b",
        "\u2028\u2029",
        {"k": "<!--"},
        ["Ё", 1, None],
    ],
)
def test_script_json_is_inert_and_round_trips(value: Any) -> None:
    text = script_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == value
