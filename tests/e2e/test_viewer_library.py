"""Issue 11 in a real Chromium from file://: the viewer as a teacher's library.

First screen shows materials at 360/768/1280 px in both languages (screenshots saved),
axe-core finds nothing, Russian search finds recordings by kind and webinar, a download
keeps the page, one player per recording with a language switch, no-JS lists everything.
"""

# Russian queries and UI text are Cyrillic on purpose.

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from oerpack.build import build_package
from oerpack.settings import Settings
from oerpack.viewer import render_viewer
from oerpack.viewer.searchindex import stem
from tests.conftest import REPO, copy_demo
from tests.support.browser import Page, poll
from tests.support.viewer_data import synthetic_plan

pytestmark = pytest.mark.e2e

AXE = REPO / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("library-demo")
    settings = Settings(cache_dir=work / "cache", retries=0, backoff=0.0)
    outcome = build_package(copy_demo(work), work / "dist", settings, make_zip=False)
    return outcome.package.folder / "index.html"


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 items in 4 webinars, a recording every fifth: enough to rank."""
    out = tmp_path_factory.mktemp("library-synthetic")
    plan, media = synthetic_plan(40, text_chars=400)
    render_viewer(plan, media, out)
    return out / "index.html"


def _open_in(open_page: Callable[[Path], Page], index: Path, lang: str, width: int) -> Page:
    page = open_page(index)
    page.set_viewport_size({"width": width, "height": 740 if width < 500 else 800})
    page.evaluate(f"() => localStorage.setItem('oerpack.lang', '{lang}')")
    page.reload()
    return page


def _visible_text(page: Page) -> str:
    text: str = page.locator("body").inner_text()
    return text


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("width", [360, 768, 1280])
def test_first_screen_shows_materials(
    demo_index: Path,
    open_page: Callable[[Path], Page],
    artifacts: Path,
    width: int,
    lang: str,
) -> None:
    page = _open_in(open_page, demo_index, lang, width)
    height = page.viewport_size["height"]
    card = page.locator("article.card").first
    box = card.bounding_box()
    assert box and box["y"] + 120 < height, f"the first material starts at {box}"
    assert card.locator(".thumb-img:visible, video:visible").count() >= 1  # a picture
    # Any recording is one tap away: the "Watch" filter, on the first screen.
    watch = page.locator(".chip[data-filter=watch]")
    watch_box = watch.bounding_box()
    assert watch_box and watch_box["y"] + watch_box["height"] < height
    page.screenshot(path=str(artifacts / f"first-screen-{width}-{lang}.png"))
    watch.click()
    first = page.locator("article.card:visible").first
    assert first.get_attribute("data-kind") == "recording"
    first_box = first.bounding_box()
    assert first_box and first_box["y"] < height
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.check_clean()


def _axe(page: Page) -> list[str]:
    page.add_script_tag(url=AXE.as_uri())  # a file: script, which the page's CSP allows
    violations: list[str] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r =>
            r.violations.map(v => v.id + ': ' +
                v.nodes.map(n => n.target.join(' ')).join(', ')))""",
        AXE_TAGS,
    )
    return violations


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_nothing(
    demo_index: Path, open_page: Callable[[Path], Page], width: int, lang: str
) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/setup-test-env.sh")
    page = _open_in(open_page, demo_index, lang, width)
    assert _axe(page) == []
    page.fill("#q", "запись" if lang == "ru" else "recording")  # with results open
    expect(page.locator("#result-list li").first).to_be_visible()
    assert _axe(page) == []
    # Accessible names as a screen reader gets them (aria-labelledby: action, title, language).
    snapshot = page.locator("main").aria_snapshot()
    names = re.findall(r'- link "([^"]*)"', snapshot)
    assert len(names) >= 6 and len(names) == len(set(names)), names
    assert (
        "Скачать Об этом примере пакета русский"
        if lang == "ru"
        else "Download About this sample package Russian"
    ) in names
    live = page.locator("[aria-live]")
    assert live.count() == 1 and live.first.get_attribute("id") == "result-count"


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_focus_ring_is_visible_at_3_to_1(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, demo_index, "en", 1280)
    rings = []
    for _ in range(12):  # the skip link, language buttons, search, filters, jump links, cards
        page.keyboard.press("Tab")
        rings.append(
            page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                // The ring is drawn outside the element (outline-offset), on its parent.
                let b = e.parentElement, bg = 'rgba(0, 0, 0, 0)';
                while (b && (bg = getComputedStyle(b).backgroundColor) === 'rgba(0, 0, 0, 0)')
                    { b = b.parentElement; }
                return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth) *
                        (parseFloat(s.outlineOffset) >= 1 ? 1 : 0), s.outlineColor,
                        b ? bg : 'rgb(255, 255, 255)']; }"""
            )
        )
    for tag, style, width, color, background in rings:
        assert style == "solid" and width >= 2, (tag, style, width)
        assert (
            page.evaluate(
                "() => parseFloat(getComputedStyle(document.activeElement).outlineOffset)"
            )
            >= 0
        )
        ring = tuple(int(x) for x in re.findall(r"\d+", color)[:3])
        behind = tuple(int(x) for x in re.findall(r"\d+", background)[:3])
        light, dark = sorted((_luminance(ring), _luminance(behind)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, (tag, color, background)
    page.check_clean()


def test_russian_search_finds_recordings_by_kind_and_webinar(
    synthetic_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, synthetic_index, "ru", 1280)
    poll(page, "() => window.oerpackViewer.ready() && window.oerpackViewer.stemmer()")
    results = page.locator("#result-list > li")

    def first_result() -> str:
        expect(results.first).to_be_visible()
        href = results.first.locator("a.result-title").get_attribute("href") or ""
        return href.split("-", 1)[1].rsplit(".", 1)[0]  # #file-item-0014.ru -> item-0014

    page.fill("#q", "запись вебинара 2")
    assert first_result() in {"item-0014", "item-0019"}  # webinar 2's recordings
    assert "Вебинар 2" in results.first.inner_text()
    for query in ("запись", "видео", "recording", "video", "записи"):
        page.fill("#q", query)
        expect(results).to_have_count(8)  # the 8 recordings, one result each
        assert all(
            "Запись" in results.nth(n).locator(".result-kind").inner_text() for n in range(8)
        )
    page.fill("#q", "презентация")
    expect(results).to_have_count(32)
    page.fill("#q", "вебинар 2")
    expect(results).to_have_count(12)  # webinar 2's ten, then "Доклад 2" and "Institute 2"
    assert all("Вебинар 2" in results.nth(n).inner_text() for n in range(10))
    page.fill("#q", "Доклад 7 образованием")  # another case of "образование": the stem
    assert first_result() == "item-0007"
    # Counting is per item; the live region holds only the count.
    page.fill("#q", "institute")
    expect(page.locator("#result-count")).to_have_text("Найдено: 40")
    page.fill("#q", "ёлка")  # ё = е, nothing there
    expect(page.locator("#no-results")).to_be_visible()
    page.check_clean()


def test_browser_and_build_stem_alike(
    synthetic_index: Path, open_page: Callable[[Path], Page]
) -> None:
    """The query stemmer (snowball.js) must be the build's (snowballstemmer) word for word."""
    words = (
        "запись записи записью вебинара вебинарах видео презентация презентации Казахстана "
        "Казахстане образование образованием дистанционное учителями сельских школах "
        "recording recordings videos presentations studies teachers learning happily"
    ).lower()
    page = open_page(synthetic_index)
    poll(page, "() => window.oerpackViewer.stemmer()")
    got = page.evaluate("ws => ws.map(w => window.oerpackViewer.stem(w))", words.split())
    assert got == [stem(w) for w in words.split()]


def test_download_keeps_the_page_and_saves_a_named_file(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, demo_index, "ru", 1280)
    page.fill("#q", "дистанц")
    link = page.locator("#item-about li.file[data-lang=ru] a.download")
    link.scroll_into_view_if_needed()
    scrolled = page.evaluate("() => window.scrollY")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.endswith("/files/about-ru.pdf")
    assert (demo_index.parent / "files" / "about-ru.pdf").stat().st_size > 1000
    tab.close()
    assert page.url == demo_index.as_uri()  # the page, its scroll and search stay
    assert page.evaluate("() => window.scrollY") == scrolled
    assert page.input_value("#q") == "дистанц"
    page.check_clean()


def test_russian_ui_has_no_english_units_or_zone_names(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, demo_index, "ru", 1280)
    text = _visible_text(page)
    assert not re.search(r"\d\s?(KB|MB|GB|B)\b", text), "sizes in КБ/МБ/ГБ"
    assert "КБ" in text and "Asia/" not in text and "(Алматы)" in text
    assert page.title() == "Пример пакета oerpack"
    assert not re.search(r"\bEN\b", text)
    page.get_by_role("button", name="English").click()
    assert page.title() == "oerpack sample package"
    page.check_clean()


def test_one_player_per_recording_with_a_language_switch(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, demo_index, "ru", 1280)
    card = page.locator("#item-sample-recording")
    assert card.locator("video:visible").count() == 1
    assert card.locator(".player:visible").get_attribute("data-lang") == "ru"
    switch = card.locator("button.switch:visible")
    expect(switch).to_have_count(1)
    assert switch.inner_text().strip() == "Английская версия"
    ru_video = card.locator(".player[data-lang=ru] video")
    ru_video.evaluate("v => { v.muted = true; return v.play(); }")
    switch.click()
    assert card.locator(".player:visible").get_attribute("data-lang") == "en"
    assert ru_video.evaluate("v => v.paused")
    assert card.locator("button.switch:visible").inner_text().strip() == "Русская версия"
    en_video = card.locator(".player[data-lang=en] video")
    en_video.evaluate("v => { v.muted = true; return v.play(); }")
    ru_video.evaluate("v => { v.muted = true; return v.play(); }")  # starting one ...
    poll(page, "() => document.querySelector('.player[data-lang=en] video').paused")  # pauses
    page.check_clean()


def test_without_javascript_everything_is_listed(
    demo_index: Path, open_page: Callable[[Path], Page], artifacts: Path
) -> None:
    page = open_page(demo_index)
    cdp = page.context.new_cdp_session(page.page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.reload()
    expect(page.locator(".nojs-note")).to_be_visible()
    for hidden in ("#q", ".lang-switch", ".chip", "button.switch"):
        assert page.locator(f"{hidden}:visible").count() == 0, hidden
    assert page.locator("article.card:visible").count() == 3
    assert page.locator("li.file:visible").count() == 6
    assert page.locator("video:visible").count() == 2  # both players listed
    page.screenshot(path=str(artifacts / "no-js-1280.png"), full_page=True)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
    page.check_clean()


def test_reader_speaks_the_ui_language_and_returns_to_the_item(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = _open_in(open_page, demo_index, "ru", 360)
    page.locator("#item-about li.file[data-lang=en] a.reader").click()
    page.wait_for_load_state("load")
    back = page.locator("header a").first
    assert back.inner_text().strip() == "← Назад к списку"
    assert page.locator("main").get_attribute("lang") == "en"  # the document's own language
    image = page.locator("main img").first
    assert image.evaluate("img => img.getBoundingClientRect().width") >= 350  # fills the width
    assert "About this sample package" in (image.get_attribute("alt") or "")
    back.click()
    page.wait_for_load_state("load")
    assert page.url == demo_index.as_uri() + "#item-about"
    page.check_clean()
