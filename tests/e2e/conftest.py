"""Fixtures shared by the real-browser tests: one Chromium per module, recording tabs and a
folder for screenshots (``$OERPACK_ARTIFACTS/viewer`` when set, which CI uploads)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tests.support.browser import CHROMIUM, FLAGS, Page, open_tab


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("OERPACK_ARTIFACTS")
    path = Path(root) / "viewer" if root else tmp_path_factory.mktemp("viewer-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    print(f"viewer screenshots: {path}")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-test-env.sh")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def open_page(browser: BrowserContext) -> Iterator[Callable[[Path], Page]]:
    """Opens a file in a new recording tab; every tab is closed after the test."""
    pages: list[Page] = []

    def opener(index: Path) -> Page:
        tab = open_tab(browser, index.as_uri())
        pages.append(tab)
        return tab

    yield opener
    for tab in pages:
        tab.page.close()
