"""A real Chromium for viewer tests: Debian's /usr/bin/chromium driven by Playwright.

``Page`` wraps a tab and records every request, console error and dialog, so a test can end
with ``page.check_clean()``: nothing loaded from outside ``file://``, no errors, no dialogs. It
also keeps the requests that finished and failed, for tests that check a resource loaded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Page:
    """A browser tab that records every request, console error and dialog."""

    page: Any  # playwright.sync_api.Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # requests answered in full
    failed: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def check_clean(self) -> None:
        outside = [url for url in self.requests if not url.startswith("file://")]
        assert outside == [], "the viewer must not load anything from outside file://"
        assert self.errors == []
        assert self.dialogs == []


def open_tab(context: Any, url: str) -> Page:
    """A new tab of ``context`` (a Playwright BrowserContext) at ``url``, recording."""
    raw = context.new_page()
    tab = Page(raw)
    raw.on("request", lambda request: tab.requests.append(request.url))
    raw.on("requestfinished", lambda request: tab.finished.append(request.url))
    raw.on("requestfailed", lambda request: tab.failed.append(request.url))
    raw.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    raw.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    raw.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    raw.goto(url)
    return tab


def poll(page: Page, script: str, *, timeout: float = 15.0) -> object:
    """Evaluate ``script`` until it returns something truthy. (wait_for_function evaluates
    a string, which the viewer's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {script}"
            return value
        time.sleep(0.05)
