"""The viewer in Debian's Firefox ESR (headless, over Marionette on 127.0.0.1), from file://.

Firefox is the other engine a school laptop runs: the first screen shows materials, the
Russian search finds a webinar's recording first, the Russian UI shows no English units or
raw zone names, and nothing is loaded from outside file://. Screenshots at 360 and 1280 px.
"""

# Russian UI text and queries are Cyrillic on purpose.

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oerpack.build import build_package
from oerpack.settings import Settings
from oerpack.viewer import render_viewer
from tests.conftest import copy_demo
from tests.support.firefox import FIREFOX, firefox
from tests.support.viewer_data import synthetic_plan

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which(FIREFOX) and not Path(FIREFOX).exists():
        pytest.fail("firefox-esr is missing: run scripts/setup-test-env.sh")
    work = tmp_path_factory.mktemp("firefox")
    settings = Settings(cache_dir=work / "cache", retries=0, backoff=0.0)
    demo = build_package(copy_demo(work), work / "dist", settings, make_zip=False)
    synthetic = work / "synthetic"
    synthetic.mkdir()
    plan, media = synthetic_plan(40, text_chars=400)
    render_viewer(plan, media, synthetic)
    return demo.package.folder / "index.html", synthetic / "index.html"


def test_firefox_esr_shows_materials_and_searches_in_russian(
    packages: tuple[Path, Path], tmp_path: Path, artifacts: Path
) -> None:
    demo, synthetic = packages
    with firefox(tmp_path / "profile") as ff:
        for width, lang in ((1280, "en"), (360, "ru")):
            ff.resize(width, 900)
            ff.navigate(demo.as_uri())
            ff.run(f"localStorage.setItem('oerpack.lang', '{lang}')")
            ff.navigate(demo.as_uri())
            ff.poll("return window.oerpackViewer && window.oerpackViewer.ready()")
            top = ff.run(
                "const c = document.querySelector('article.card');"
                "return [c.getBoundingClientRect().top, window.innerHeight]"
            )
            assert top[0] + 120 < top[1], f"first card at {top[0]} of {top[1]} px"
            ff.screenshot(artifacts / f"firefox-{width}-{lang}.png")
        text = ff.run("return document.body.innerText")
        assert "КБ" in text and "Asia/" not in text and "(Алматы)" in text
        assert ff.run("return document.title") == "Пример пакета oerpack"
        ff.navigate(synthetic.as_uri())
        ff.run("localStorage.setItem('oerpack.lang', 'ru')")
        ff.navigate(synthetic.as_uri() + "?q=" + "запись вебинара 2")  # the query in the address
        ff.poll("return window.oerpackViewer.ready() && window.oerpackViewer.stemmer()")
        ff.run("window.oerpackViewer.search(document.getElementById('q').value)")
        first = ff.run(
            "const a = document.querySelector('#result-list > li a.result-title');"
            "return [a.getAttribute('href'), a.closest('li').innerText]"
        )
        assert first[0].startswith(("#file-item-0014.", "#file-item-0019.")), first
        assert "Вебинар 2" in first[1]
        ff.screenshot(artifacts / "firefox-360-ru-search.png")
        resources = ff.run(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([location.href])"
        )
        assert resources and all(url.startswith("file:") for url in resources), resources
