"""A conversion that failed is remembered: a broken document costs its time once, not on
every rebuild; upgrading the converter retries it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oerpack.build import build_package
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings

MANIFEST = """\
oerpack: 1
event: {id: broken, title: Broken, languages: [en], publisher: P, license: not-stated}
items:
  - id: slides
    title: Slides
    kind: presentation
    sources:
      - {lang: en, path: slides.pptx}
"""


@pytest.fixture
def failing_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A stand-in LibreOffice that counts its runs and always fails, as on a damaged file."""
    calls = tmp_path / "calls"
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(
        f"#!/bin/sh\necho run >> {calls}\necho 'Error: source file could not "
        "be loaded' >&2\nexit 1\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("OERPACK_SOFFICE", str(script))
    return script, calls


def build(tmp_path: Path) -> tuple[str, ...]:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 not really a presentation")
    (folder / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    outcome = build_package(
        folder / "m.yaml",
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "cache", backoff=0),
        make_zip=False,
        media=MediaOptions(thumbnails=False, page_images=False),
    )
    assert (outcome.package.folder / "index.html").is_file()
    return outcome.notes


def test_failed_conversion_is_not_retried_until_the_converter_changes(
    tmp_path: Path, failing_soffice: tuple[Path, Path]
) -> None:
    script, calls = failing_soffice
    first = build(tmp_path)
    assert calls.read_text().count("run") == 1
    assert any("could not convert" in note for note in first)
    second = build(tmp_path)
    assert calls.read_text().count("run") == 1, "the known failure ran LibreOffice again"
    assert any("remembered from an earlier build" in note for note in second)
    stat = script.stat()
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # "upgraded"
    build(tmp_path)
    assert calls.read_text().count("run") == 2
