"""The viewer in a real browser: Debian's chromium (via Playwright) opens index.html from file://.

Screenshots go to ``$OERPACK_ARTIFACTS/viewer`` when that is set (CI uploads it), else to
pytest's temporary directory; the path is printed so a person can look at them. The browser
fixtures are in conftest.py, the recording tab in tests/support/browser.py.
"""

# Russian UI text and the search word are Cyrillic on purpose.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from oerpack.build import build_package
from oerpack.settings import Settings
from tests.conftest import copy_demo
from tests.support.browser import Page, poll
from tests.support.media import make_pdf, make_video
from tests.support.viewer_data import HOSTILE

pytestmark = pytest.mark.e2e

PDF_ONLY_WORD = "дистанционное"  # in manifests/demo/about-ru.pdf's body, nowhere else


def _build(manifest: Path, out: Path, cache: Path) -> Path:
    settings = Settings(cache_dir=cache, retries=0, backoff=0.0)
    outcome = build_package(manifest, out, settings, make_zip=False)
    return outcome.package.folder / "index.html"


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo manifest built into a temporary folder (a copy, so its lock stays untouched)."""
    work = tmp_path_factory.mktemp("demo")
    return _build(copy_demo(work), work / "dist", work / "cache")


HOSTILE_MANIFEST = """\
oerpack: 1
event:
  id: hostile
  title: {{en: {title}, ru: {title}}}
  description: {title}
  languages: [en, ru]
  publisher: {title}
  license: CC BY 4.0
items:
  - id: evil
    title: {title}
    kind: document
    description: {title}
    sources:
      - {{lang: en, path: files/evil.pdf}}
sections:
  - id: evil-webinar
    title: {title}
    organiser: {title}
    items:
      - id: evil-video
        title: {{en: {title}}}
        kind: recording
        speakers:
          - {{name: {title}, role: {title}, organisation: {title}}}
        sources:
          - {{lang: ru, path: files/evil.mp4}}
"""


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package whose every text is markup that must show as text."""
    work = tmp_path_factory.mktemp("hostile")
    make_pdf(work / "files" / "evil.pdf", ["Plain body text, searchable: marmalade."])
    make_video(work / "files" / "evil.mp4", seconds=1.0)
    title = '"' + HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\u2028", "\\L") + '"'
    (work / "hostile.yaml").write_text(HOSTILE_MANIFEST.format(title=title), encoding="utf-8")
    return _build(work / "hostile.yaml", work / "dist", work / "cache")


def shown(page: Page, selector: str) -> str:
    """The text a reader sees (inner_text skips the other language's hidden spans)."""
    text: str = page.locator(selector).first.inner_text()
    return " ".join(text.split())


def _reset_language(page: Page) -> None:
    page.evaluate("() => localStorage.removeItem('oerpack.lang')")
    page.reload()


def test_event_and_every_item_render(demo_index: Path, open_page: Callable[[Path], Page]) -> None:
    page = open_page(demo_index)
    _reset_language(page)
    assert shown(page, "h1") == "oerpack sample package"
    assert "Sample content" in shown(page, ".subtitle")
    facts = shown(page, "dl.facts")
    for text in ("1 October 2020", "oerpack (sample)", "oerpack sample organiser", "CC BY 4.0"):
        assert text in facts
    for item_id, title in (
        ("about", "About this sample package"),
        ("sample-presentation", "Sample presentation: packaging open resources"),
        ("sample-recording", "Sample webinar recording"),
    ):
        assert shown(page, f"#item-{item_id} h3") == title
        files = page.locator(f"#item-{item_id} li.file")
        assert files.count() == 2
        assert all(files.nth(n).is_visible() for n in range(2))
    # The zone by its CLDR city name in the UI language (issue 11: no raw IANA names shown);
    # machines still get the exact moment.
    assert shown(page, "#section-sample-webinar .when") == ("1 October 2020, 10:00–11:30 (Almaty)")
    when = page.locator("#section-sample-webinar .when time")
    assert when.get_attribute("datetime") == "2020-10-01T10:00+06:00"
    assert "Dr Ada Example, Sample speaker, Example Organisation" in shown(
        page, "#item-sample-presentation .speakers"
    )
    assert "2 pages" in shown(page, "#item-about li.file")
    assert "0:03" in shown(page, "#item-sample-recording li.file")
    page.check_clean()


def test_russian_ui_switches_and_persists(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = open_page(demo_index)
    _reset_language(page)
    page.get_by_role("button", name="Русский").click()
    assert shown(page, "h1") == "Пример пакета oerpack"
    assert shown(page, "label[for=q]") == "Поиск"
    assert shown(page, "#item-about h3") == "Об этом примере пакета"
    assert page.evaluate("() => document.documentElement.lang") == "ru"
    page.reload()
    assert shown(page, "h1") == "Пример пакета oerpack"
    assert shown(page, "#section-sample-webinar .when").startswith("1 октября 2020")
    pressed = page.get_by_role("button", name="Русский")
    assert pressed.get_attribute("aria-pressed") == "true"
    # The Russian file comes first for a Russian reader.
    box_ru = page.locator("#item-about li.file[data-lang=ru]").bounding_box()
    box_en = page.locator("#item-about li.file[data-lang=en]").bounding_box()
    assert box_ru and box_en and box_ru["y"] < box_en["y"]
    page.get_by_role("button", name="English").click()
    assert shown(page, "h1") == "oerpack sample package"
    page.check_clean()


def test_search_finds_a_word_only_inside_a_pdf(
    demo_index: Path, open_page: Callable[[Path], Page]
) -> None:
    assert PDF_ONLY_WORD not in demo_index.read_text(encoding="utf-8")
    page = open_page(demo_index)
    results = page.locator("#result-list li")
    for query in (PDF_ONLY_WORD, "ДИСТАНЦ"):  # whole word; upper-case prefix
        page.fill("#q", query)
        expect(results).to_have_count(1)
        expect(results.first.locator("a.result-title")).to_have_attribute("href", "#file-about.ru")
        expect(results.first.locator("mark")).to_have_text(PDF_ONLY_WORD)
        expect(results.first.locator(".lang-badge")).to_have_text("RU")
    page.fill("#q", "Ada")  # a speaker: one result per item (it has two files)
    expect(results).to_have_count(1)
    page.fill("#q", "zzzzqqq")
    expect(page.locator("#no-results")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#results")).to_be_hidden()
    assert poll(page, "() => window.oerpackViewer.engine()") == "index"  # the build's index
    page.check_clean()


def test_video_plays(demo_index: Path, open_page: Callable[[Path], Page]) -> None:
    # Debian's chromium plays the demo's H.264/AAC MP4 (checked: canPlayType is "probably").
    page = open_page(demo_index)
    video = page.locator("#item-sample-recording video").first
    video.scroll_into_view_if_needed()
    assert video.evaluate("v => v.canPlayType('video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"')")
    video.evaluate("v => { v.muted = true; return v.play().then(() => true); }")
    poll(page, "() => document.querySelector('#item-sample-recording video').currentTime > 0.3")
    assert video.evaluate("v => v.error === null && Math.round(v.duration)") == 3
    page.check_clean()


def test_hostile_titles_stay_text(
    hostile_index: Path, open_page: Callable[[Path], Page], artifacts: Path
) -> None:
    page = open_page(hostile_index)
    _reset_language(page)
    assert shown(page, "#item-evil h3") == " ".join(HOSTILE.split())
    # Only the build's own thumbnails; the five scripts of the page: nothing injected.
    assert page.locator("img:not(.thumb-img)").count() == 0
    assert page.locator("script").count() == 5
    page.fill("#q", "marmalade")
    expect(page.locator("#result-list a.result-title")).to_contain_text("<script>alert(")
    assert "1 page" in shown(page, "#item-evil li.file") and "1 pages" not in shown(page, "body")
    page.fill("#q", "alert")
    expect(page.locator("#result-list li")).to_have_count(2)
    page.screenshot(path=str(artifacts / "hostile-desktop.png"), full_page=True)
    page.check_clean()


def test_keyboard_and_print(demo_index: Path, open_page: Callable[[Path], Page]) -> None:
    page = open_page(demo_index)
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type(PDF_ONLY_WORD[:6])
    expect(page.locator("#result-list li")).to_have_count(1)
    page.emulate_media(media="print")
    expect(page.locator("#q")).to_be_hidden()
    expect(page.locator("video").first).to_be_hidden()
    assert page.locator("#item-about h3").is_visible()
    page.emulate_media(media="screen")
    page.check_clean()


@pytest.mark.parametrize(("width", "lang"), [(1280, "en"), (360, "ru")])
def test_screenshots_and_no_sideways_scrolling(
    demo_index: Path, artifacts: Path, width: int, lang: str, open_page: Callable[[Path], Page]
) -> None:
    page = open_page(demo_index)
    page.set_viewport_size({"width": width, "height": 800})
    page.evaluate(f"() => localStorage.setItem('oerpack.lang', '{lang}')")
    page.reload()
    assert page.evaluate("() => document.documentElement.lang") == lang
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of sideways scrolling at {width}px"
    page.screenshot(path=str(artifacts / f"demo-{width}-{lang}.png"), full_page=True)
    page.fill("#q", "дистанц" if lang == "ru" else "package")
    expect(page.locator("#result-list li").first).to_be_visible()
    page.screenshot(path=str(artifacts / f"demo-{width}-{lang}-search.png"))
    _reset_language(page)
    page.check_clean()
