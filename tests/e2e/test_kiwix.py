"""The event's ZIM with Kiwix's own tools: zimcheck (zim-tools) passes it, kiwix-serve
(kiwix-tools) serves it on 127.0.0.1 and a real headless Chromium uses it there.

The ZIM is built from generated sources: a Russian PDF whose body alone holds a word (in
another grammatical form than the one searched, so Kiwix's Russian stemming is used), an
English PDF, and a short video with an SRT subtitle whose one word is found by Kiwix too.
"""

# Russian titles, body text and search words are Cyrillic on purpose.

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Response

from oerpack.build import build_package
from oerpack.settings import Settings
from tests.support.browser import Page, open_tab, poll
from tests.support.media import make_pdf, make_video

pytestmark = pytest.mark.e2e

BODY_WORD = "палеографии"  # only in the Russian PDF's body
SEARCHED = "палеография"  # another form of it: found through the Russian stemmer
RECORDING_TITLE_RU = "Запись весенней встречи"
MANIFEST = f"""\
oerpack: 1
event:
  id: kiwix-test
  title: {{en: Kiwix test event, ru: Проверка Kiwix}}
  description: {{en: An event packaged for Kiwix., ru: Мероприятие для Kiwix.}}
  languages: [en, ru]
  publisher: Test
  license: not-stated
items:
  - id: handout
    title: {{en: Handout, ru: Раздаточный материал}}
    kind: document
    sources:
      - {{lang: en, path: files/handout-en.pdf}}
      - {{lang: ru, path: files/handout-ru.pdf}}
sections:
  - id: spring
    title: {{en: Spring meeting, ru: Весенняя встреча}}
    date: 2021-04-01
    items:
      - id: talk
        title: {{en: Recording of the spring meeting, ru: {RECORDING_TITLE_RU}}}
        kind: recording
        sources:
          - {{lang: en, path: files/talk.mp4}}
          - {{id: subs, lang: en, path: files/talk.srt}}
"""
SPOKEN_WORD = "marmalade"  # only in the recording's subtitles
SRT = f"1\n00:00:00,500 --> 00:00:02,000\nHello, {SPOKEN_WORD}\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def zim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("kiwix")
    files = work / "m" / "files"
    make_pdf(files / "handout-en.pdf", ["A handout in English."])
    make_pdf(
        files / "handout-ru.pdf",
        [f"Учителя обсуждали вопросы {BODY_WORD} и цифровой грамотности.", "Вторая страница"],
    )
    make_video(files / "talk.mp4", seconds=3, size="320x240")
    (files / "talk.srt").write_text(SRT, encoding="utf-8")
    (work / "m" / "kiwix.yaml").write_text(MANIFEST, encoding="utf-8")
    settings = Settings(cache_dir=work / "cache", retries=0, backoff=0.0)
    outcome = build_package(
        work / "m" / "kiwix.yaml", work / "dist", settings, make_zip=False, make_zim=True
    )
    assert outcome.zim is not None
    return outcome.zim.path


@pytest.fixture(scope="module")
def kiwix(zim: Path) -> Iterator[str]:
    """kiwix-serve on a free loopback port; yields its base URL."""
    if shutil.which("kiwix-serve") is None:
        pytest.fail("kiwix-serve is missing: run scripts/setup-test-env.sh (kiwix-tools)")
    port = _free_port()
    server = subprocess.Popen(
        ["kiwix-serve", "--address", "127.0.0.1", "--port", str(port), str(zim)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/catalog/v2/entries", timeout=2) as answer:
                    assert zim.stem in answer.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, "kiwix-serve exited"
                assert time.monotonic() < deadline, "kiwix-serve did not answer"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _ours(message: ConsoleMessage, kiwix: str) -> bool:
    """A console error of the ZIM's pages, not of the bar kiwix-serve injects (its jQuery
    probes inline handlers, which the pages' policy rightly refuses) or of Chromium asking
    kiwix-serve for /favicon.ico."""
    where = message.location.get("url", "")
    return not where.startswith((f"{kiwix}/skin/", f"{kiwix}/favicon.ico"))


@pytest.fixture
def tab(browser: BrowserContext, kiwix: str) -> Iterator[tuple[Page, list[Response]]]:
    """A recording tab and every response it received; checks afterwards that nothing was
    asked of anything but kiwix-serve and that the ZIM's own pages logged no error."""
    responses: list[Response] = []
    errors: list[str] = []
    page = open_tab(browser, "about:blank")
    page.page.on("response", lambda response: responses.append(response))
    page.page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and _ours(m, kiwix) else None,
    )
    page.page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, responses
    outside = [u for u in page.requests if not u.startswith(f"{kiwix}/") and u != "about:blank"]
    assert outside == [], "requests outside kiwix-serve"
    assert errors == [], "\n".join(errors)
    assert page.dialogs == []
    page.page.close()


def test_zimcheck_finds_no_errors(zim: Path) -> None:
    done = subprocess.run(
        ["zimcheck", "-A", str(zim)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[ERROR]" not in done.stdout
    assert "Overall Test Status: Pass" in done.stdout


def test_kiwix_serve_shows_the_viewer_in_russian_with_pdf_reader_and_video(
    zim: Path, kiwix: str, tab: tuple[Page, list[Response]], artifacts: Path
) -> None:
    page, responses = tab
    page.goto(f"{kiwix}/{zim.stem}/")
    page.wait_for_load_state("load")
    assert page.url.endswith("/index.html"), page.url
    assert page.locator("h1 [lang=en]").first.inner_text() == "Kiwix test event"
    page.locator("button.lang-switch[data-lang=ru]").click()
    poll(page, "() => document.documentElement.lang === 'ru'")
    assert "Проверка Kiwix" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "kiwix-main-ru.png"), full_page=True)

    pdf_href = page.locator("#item-handout a.open").first.get_attribute("href")
    assert pdf_href and pdf_href.endswith(".pdf")
    answer = page.context.request.get(f"{page.url.rsplit('/', 1)[0]}/{pdf_href}")
    assert answer.status == 200
    # A named download is a ZIM redirect to the one stored copy of the PDF.
    assert pdf_href.startswith("files/") and "/KOLIBRI_DATA/content/storage/" in answer.url
    assert answer.headers["content-type"].startswith("application/pdf")
    assert answer.body().startswith(b"%PDF")

    video = page.locator("#item-talk video")
    video.scroll_into_view_if_needed()
    video.hover()  # the viewer hands the video its subtitle cues
    poll(page, "() => document.querySelector('#item-talk video').textTracks.length === 1")
    played = page.evaluate("""() => new Promise((resolve, reject) => {
        const v = document.querySelector('#item-talk video');
        v.muted = true;
        v.addEventListener('timeupdate', () => v.currentTime > 0.5 && resolve(v.currentTime));
        v.addEventListener('error', () => reject(new Error('video error')));
        v.play().catch(reject);
    })""")
    assert isinstance(played, float) and played > 0.5
    ranged = [r for r in responses if r.url.endswith(".mp4") and r.status == 206]
    assert ranged, "the video was not served by byte ranges"
    assert ranged[0].headers.get("content-range", "").startswith("bytes ")

    page.locator("#item-handout a.reader").first.click()
    page.wait_for_load_state("load")
    assert "/pages/handout." in page.url
    first = page.locator("main img").first
    first.scroll_into_view_if_needed()
    poll(page, "() => document.querySelector('main img').naturalWidth > 0")


def _search(page: Page, kiwix: str, book: str, words: str) -> list[str]:
    """Kiwix's own full-text search: the results' links as ``href (text)``."""
    page.goto(f"{kiwix}/search?content={book}&pattern={quote(words)}")
    page.wait_for_load_state("load")
    links = page.locator(".results a")
    return [
        f"{links.nth(n).get_attribute('href')} ({links.nth(n).inner_text().strip()})"
        for n in range(links.count())
    ]


def test_kiwix_full_text_search_finds_a_pdf_by_its_body_and_a_recording_by_its_title(
    zim: Path, kiwix: str, tab: tuple[Page, list[Response]], artifacts: Path
) -> None:
    page, _ = tab
    assert BODY_WORD not in MANIFEST and SEARCHED not in MANIFEST and SPOKEN_WORD not in MANIFEST
    found = _search(page, kiwix, zim.stem, SEARCHED)
    page.screenshot(path=str(artifacts / "kiwix-search.png"), full_page=True)
    assert len(found) == 1, found
    href, _, text = found[0].partition(" (")
    assert href.endswith(".pdf") and text.startswith("Раздаточный материал"), found
    assert "(RU)" in text
    pdf = page.context.request.get(f"{kiwix}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    for words in ("весенней встречи запись", "recording spring", SPOKEN_WORD):
        results = _search(page, kiwix, zim.stem, words)
        assert any(".mp4 (" in result for result in results), (words, results)
    suggested = page.context.request.get(
        f"{kiwix}/suggest?content={zim.stem}&term={quote('Раздаточный')}"
    ).json()  # Kiwix's title suggestions (the title index)
    paths = [s.get("path", "") for s in suggested if s["kind"] == "path"]
    assert len([p for p in paths if p.endswith(".pdf")]) == 2, suggested
