"""The rendered viewer, checked structurally without a browser (fast)."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from oerpack.layout import ASSETS_DIR, SEARCH_DATA, SEARCH_DATA_NAME, SEARCH_TEXT, SEARCH_TEXT_NAME
from oerpack.units import human_size
from oerpack.viewer import (
    download_names,
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


def _search_data(out: Path) -> dict[str, Any]:
    text = (out / SEARCH_DATA).read_text(encoding="utf-8")
    match = re.match(
        r"window\.OERPACK_SEARCH = (.*);\nwindow\.OERPACK_STRINGS = (.*);\n$", text, re.S
    )
    assert match, text[:200]
    assert json.loads(match.group(2)) == ui_strings()
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_every_item_and_file_has_an_anchor(tmp_path: Path) -> None:
    _, page = _render(tmp_path, items=12)
    articles = page.find("article")
    # Every item, recordings first within each webinar (they are what teachers look for).
    order = [4, 9, 0, 1, 2, 3, 5, 6, 7, 8, 10, 11]
    assert [a["id"] for a in articles] == [f"item-item-{n:04d}" for n in order]
    assert len(page.find("li", class_="file file-document")) == 2 * 10
    assert len(page.find("video")) == 2 * 2  # items 4 and 9 are recordings
    sections = [
        a for t, a in page.tags if t == "section" and "section" in (a.get("class") or "").split()
    ]
    assert {a["id"] for a in sections} == {
        "section-webinar-1",
        "section-webinar-2",
    }


def test_files_show_size_pages_duration_and_links(tmp_path: Path) -> None:
    out, page = _render(tmp_path, items=5)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "30:04" in html  # item 4 is a 1804 s video
    assert "10 " in html and "стр." in html  # item 0's PDF has 10 pages
    assert "100,0\u00a0КБ" in html and "100.0\u00a0KB" in html  # sizes in both UI languages
    pdf_links = page.find("a", class_="open", type="application/pdf")
    assert len(pdf_links) == 8
    # Documents open and download from their human-named copies, in a new tab.
    assert [a["href"] for a in pdf_links][:2] == [
        "files/item-0000-en.pdf",
        "files/item-0000-ru.pdf",
    ]
    downloads = page.find("a", class_="download")
    assert len(downloads) == 10
    assert all(a["target"] == "_blank" and a["rel"] == "noopener" for a in downloads)
    named = [a for a in downloads if (a["href"] or "").startswith("files/")]
    assert (
        named[0]["download"] == "item-0000-en.pdf" and named[0]["href"] == "files/item-0000-en.pdf"
    )
    video_downloads = [a for a in downloads if (a["download"] or "").endswith(".mp4")]
    assert len(video_downloads) == 2  # recordings are stored once, under Kolibri's storage
    assert all(
        (a["href"] or "").startswith("KOLIBRI_DATA/content/storage/") for a in video_downloads
    )
    # ... and still carry a human name for browsers that honour it (served, Kiwix).
    assert video_downloads[0]["download"] == "item-0004-en.mp4"
    video = page.find("video")[0]
    assert video["preload"] == "none" and "controls" in video
    assert page.find("source")[0]["type"] == "video/mp4"


def test_nothing_points_outside_the_package(tmp_path: Path) -> None:
    out, page = _render(tmp_path, items=6)
    plan = synthetic_plan(6)[0]
    packaged = {f.dest for f in plan.files} | set(download_names(plan).values())
    for tag, attrs in page.tags:
        for name in ("src", "href", "poster"):
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
    # viewer-lang.js, search-data.js, snowball.js, search-text.js, viewer.js: nothing injected
    assert len(page.find("script")) == 5
    assert not page.find("img")
    assert HOSTILE.strip() in "".join(page.text)
    data = (out / SEARCH_DATA).read_text(encoding="utf-8")
    data += (out / SEARCH_TEXT).read_text(encoding="utf-8")
    assert "<" not in data and ">" not in data and "\u2028" not in data
    assert _search_data(out)["items"][0]["title"]["en"] == HOSTILE


def test_text_in_the_other_language_gets_one_quiet_note(tmp_path: Path) -> None:
    _, page = _render(tmp_path, items=5)  # item 4 has no Russian title; no organisation has
    html = "".join(page.text)
    assert "Talk 4: distance" in html
    assert not page.find("abbr", class_="badge fallback"), "no badge per field any more"
    notes = page.find("p", class_="note i18n i18n-ru")
    assert len(notes) == 5, "one note per card (the organisations are English only)"
    assert "Часть текста здесь — только на английском." in html
    ru_spans = page.find("span", class_="i18n i18n-ru", lang="en")
    assert ru_spans, "the fallback text keeps its real language in lang="


def test_search_data_is_one_record_per_item_with_a_ready_index(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, items=10, text_chars=300)
    data = _search_data(out)
    assert [r["id"] for r in data["items"]] == [f"item-{n:04d}" for n in range(10)]
    first = data["items"][0]
    assert [f["key"] for f in first["files"]] == ["item-0000.en", "item-0000.ru"]
    assert first["where"] == {"en": "Webinar 1", "ru": "Вебинар 1"}
    text = (out / SEARCH_TEXT).read_text(encoding="utf-8")
    assert text.startswith("window.OERPACK_TEXT = ")
    texts = json.loads(text.removeprefix("window.OERPACK_TEXT = ").rstrip(";\n"))
    assert len(texts["item-0000.ru"]) >= 300 and "item-0004.ru" not in texts  # a video
    terms = data["terms"]
    assert terms == sorted(terms) and len(terms) == len(data["postings"])

    def items_with(term: str) -> set[int]:
        flat = data["postings"][terms.index(term)]
        return set(flat[0::2])

    # Kind, webinar and language are words in both languages; stems sit beside words.
    recordings = {4, 9}
    assert items_with("запись") == recordings == items_with("recording")
    assert items_with("видео") == recordings == items_with("video")
    assert items_with("презентац") == set(range(10)) - recordings  # stem of "презентация"
    assert items_with("вебинар") == set(range(10)) and items_with("русский") == set(range(10))
    assert 0 in items_with("institute") and 0 in items_with("institut")  # word, English stem


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    first, _ = _render(tmp_path / "a", items=8)
    second, _ = _render(tmp_path / "b", items=8)
    for name in ("index.html", SEARCH_DATA):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_assets_are_copied_but_not_the_vendoring_notes(tmp_path: Path) -> None:
    out, _ = _render(tmp_path, items=1)
    names = sorted(p.name for p in (out / ASSETS_DIR).iterdir())
    assert names == [
        SEARCH_DATA_NAME,
        SEARCH_TEXT_NAME,
        "snowball.js",
        "viewer-lang.js",
        "viewer-subtitles.js",
        "viewer.css",
        "viewer.js",
    ]
    header = (out / ASSETS_DIR / "snowball.js").read_text(encoding="utf-8")[:400]
    assert "Snowball stemmers 3.1.1" in header and "Martin Porter" in header


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
    used |= {"page", "pages", "results_count_only", "lang_short_en", "lang_short_ru"}
    used |= {f"{p}_{lang}" for p in ("lang", "lang_in", "switch_video") for lang in ("en", "ru")}
    used |= {f"search_kind_{kind}" for kind in ("presentation", "recording", "document")}
    used |= {f"unit_{u}" for u in ("B", "KB", "MB", "GB")}
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
