"""A stick holding two packages, in a real Chromium from file://: the home page links each
viewer, and a viewer moved one folder down still plays its video, opens its PDFs and finds
them by search (its links into the shared KOLIBRI_DATA were moved one folder up)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.settings import Settings
from tests.support.browser import Page, poll
from tests.support.corpus import TITLES, write_corpus
from tests.support.sticks import second_event

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("stick-viewer")
    settings = Settings(cache_dir=work / "cache", backoff=0)
    build_package(write_corpus(work / "a"), work / "dist", settings, make_zip=False)
    build_package(second_event(work / "b"), work / "dist", settings, make_zip=False)
    target = work / "usb"
    target.mkdir()
    result = CliRunner().invoke(main, ["write", str(work / "dist"), str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_home_page_links_each_viewer(
    stick: Path, open_page: Callable[[Path], Page], artifacts: Path
) -> None:
    page = open_page(stick / "index.html")
    links = page.locator("a.package")
    expect(links).to_have_count(2)
    expect(links.nth(1)).to_have_text("Вторые вебинары")
    page.screenshot(path=str(artifacts / "stick-home.png"), full_page=True)
    links.first.click()
    page.wait_for_load_state("load")
    assert page.url == (stick / "kz-webinars" / "index.html").as_uri()
    page.check_clean()


def test_moved_viewer_plays_video_and_finds_pdfs(
    stick: Path, open_page: Callable[[Path], Page]
) -> None:
    page = open_page(stick / "kz-webinars" / "index.html")
    video = page.locator("video").first
    video.scroll_into_view_if_needed()
    video.evaluate("v => { v.muted = true; return v.play().then(() => true); }")
    poll(page, "() => document.querySelector('video').currentTime > 0.3")
    assert video.evaluate("v => v.error === null")
    source = page.locator("video source").first.get_attribute("src")
    assert source and source.startswith("../KOLIBRI_DATA/")  # moved up to the shared copy
    for link in page.locator("a.open, a.download, a.reader").all():
        href = link.get_attribute("href")
        assert href and (stick / "kz-webinars" / href).is_file(), href
    page.fill("#q", "Дистанц")
    results = page.locator("#result-list li")
    expect(results.first).to_be_visible()
    assert TITLES["talk"]["ru"] in results.first.inner_text()
    assert page.failed == []
    page.check_clean()
