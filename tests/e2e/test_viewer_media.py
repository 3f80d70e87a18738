"""Posters, the page reader and subtitles in a real Chromium, from file://.

The package is built from generated sources: a short video with an SRT subtitle and a
two-page PDF, with posters, thumbnails and page images on (the build's defaults). Chromium
refuses ``<track src>`` from ``file://`` (every file is its own origin), so the viewer
hands it the cues through a script; these tests prove that path works and that the
``<track>``'s own file is never requested.
"""

# A Russian cue is Cyrillic on purpose.

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oerpack.build import build_package
from oerpack.settings import Settings
from tests.support.browser import Page, poll
from tests.support.media import make_pdf, make_video

pytestmark = pytest.mark.e2e

SRT = (
    "1\n00:00:00,500 --> 00:00:01,500\nHello <i>there</i>\n\n"
    "2\n00:00:01,600 --> 00:00:02,400\nПока\n"
)
MANIFEST = """\
oerpack: 1
event: {id: media-view, title: Media viewer test, languages: [en, ru], publisher: Test,
        license: CC BY 4.0}
items:
  - id: handout
    title: Handout
    kind: document
    sources:
      - {lang: en, path: files/handout.pdf}
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
      - {id: subs, lang: en, path: files/talk.srt}
"""
VIDEO = "#item-talk video"


@pytest.fixture(scope="module")
def media_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("media-viewer")
    files = work / "m" / "files"
    make_pdf(files / "handout.pdf", ["First page: Первая страница", "Second page"])
    make_video(files / "talk.mp4", seconds=3, size="320x240")
    (files / "talk.srt").write_text(SRT, encoding="utf-8")
    (work / "m" / "media.yaml").write_text(MANIFEST, encoding="utf-8")
    settings = Settings(cache_dir=work / "cache", retries=0, backoff=0.0)
    outcome = build_package(work / "m" / "media.yaml", work / "dist", settings, make_zip=False)
    return outcome.package.folder / "index.html"


def _image_width(page: Page, href: str) -> int:
    """naturalWidth of ``href`` loaded as an <img> next to the page (-1 if it fails)."""
    width = page.evaluate(
        """href => new Promise(resolve => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(-1);
        img.src = href;
    })""",
        href,
    )
    assert isinstance(width, int)
    return width


def test_the_video_poster_loads(media_index: Path, open_page: Callable[[Path], Page]) -> None:
    page = open_page(media_index)
    poster = page.locator(VIDEO).get_attribute("poster")
    assert poster and poster.endswith(".jpg")
    assert _image_width(page, poster) == 320
    poster_url = (media_index.parent / poster).as_uri()
    assert poster_url in page.finished  # the video element's own request for it
    assert page.failed == []
    page.check_clean()


def test_the_page_reader_opens_and_its_images_load(
    media_index: Path, open_page: Callable[[Path], Page], artifacts: Path
) -> None:
    page = open_page(media_index)
    page.set_viewport_size({"width": 360, "height": 640})
    page.locator("#item-handout a.reader").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/pages/handout.en/index.html")
    images = page.locator("main img")
    assert images.count() == 2
    for n in range(2):  # lazy images load when they come into view
        images.nth(n).scroll_into_view_if_needed()
        poll(page, f"() => document.querySelectorAll('main img')[{n}].naturalWidth > 0")
    widths = page.evaluate(
        "() => [...document.querySelectorAll('main img')]"
        ".map(img => [img.naturalWidth, img.naturalHeight, img.width])"
    )
    assert all(nat_w > 0 and nat_h > nat_w for nat_w, nat_h, _ in widths)  # portrait pages
    assert all(shown_w <= 360 for _, _, shown_w in widths)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of sideways scrolling at 360px"
    assert page.locator("figcaption").nth(1).inner_text() == "2 / 2"
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "reader-360.png"), full_page=True)
    original = page.locator("header a").nth(1).get_attribute("href")
    assert original and (Path(page.url.removeprefix("file://")).parent / original).is_file()
    # Page images carry the page's own text for screen readers.
    assert images.nth(0).get_attribute("alt") == "1 / 2: First page: Первая страница"
    page.locator("header a").first.click()  # back to the viewer, at the item (issue 11)
    page.wait_for_load_state("load")
    assert page.url == media_index.as_uri() + "#item-handout"
    assert page.failed == []
    page.check_clean()


def test_subtitles_load_from_file_urls(
    media_index: Path, open_page: Callable[[Path], Page]
) -> None:
    page = open_page(media_index)
    video = page.locator(VIDEO)
    vtt = video.locator("track").get_attribute("src")
    assert vtt and vtt.endswith(".vtt")
    assert (media_index.parent / vtt).read_text(encoding="utf-8").startswith("WEBVTT")
    video.scroll_into_view_if_needed()
    video.hover()  # the reader reaches for the video: its cues arrive
    poll(
        page,
        f"() => document.querySelector({VIDEO!r}).textTracks.length === 1"
        f" && !document.querySelector('{VIDEO} track')",
    )
    track = page.evaluate(f"""() => {{
        const t = document.querySelector({VIDEO!r}).textTracks[0];
        t.mode = "showing";
        return {{kind: t.kind, label: t.label, language: t.language,
                cues: [...t.cues].map(c => [c.startTime, c.endTime, c.text])}};
    }}""")
    assert track == {
        "kind": "subtitles",
        "label": "EN",
        "language": "en",
        "cues": [[0.5, 1.5, "Hello <i>there</i>"], [1.6, 2.4, "Пока"]],
    }
    active = page.evaluate(f"""() => new Promise((resolve, reject) => {{
        const v = document.querySelector({VIDEO!r});
        v.addEventListener("seeked", () => setTimeout(() => resolve(
            [...v.textTracks[0].activeCues].map(c => c.getCueAsHTML().textContent)), 50));
        v.addEventListener("error", () => reject(new Error("video error")));
        v.preload = "auto";
        v.addEventListener("loadedmetadata", () => {{ v.currentTime = 1.8; }});
        v.load();
    }})""")
    assert active == ["Пока"]
    assert not any(url.endswith(".vtt") for url in page.requests), "the <track> was requested"
    # load() aborts the video's first request (net::ERR_ABORTED) and asks again: not a fault.
    assert [url for url in page.failed if not url.endswith(".mp4")] == []
    page.check_clean()
