"""Integration: a build with office documents, a recording, subtitles and a PDF."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from oerpack.build import build_package
from oerpack.errors import DoesNotFitError
from oerpack.layout import SEARCH_DATA, SEARCH_TEXT
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.support.media import make_noisy_video, make_pdf, make_video
from tests.support.office import make_docx, make_pptx

HAVE_SOFFICE = shutil.which("soffice") is not None
SRT = "1\n00:00:00,500 --> 00:00:01,500\nHello\n\n2\n00:00:01,600 --> 00:00:02,000\nBye\n"

MANIFEST = """\
oerpack: 1
event:
  id: media-test
  title: Media test
  languages: [en, ru]
  publisher: Test
  license: CC BY 4.0
items:
  - id: slides
    title: Slides
    kind: presentation
    sources:
      - {lang: en, path: files/slides.pptx}
  - id: notes
    title: Notes
    kind: document
    sources:
      - {lang: en, path: files/notes.docx}
      - {lang: ru, path: files/notes-ru.pdf}
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
      - {id: subs, lang: en, path: files/talk.srt}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    files = tmp_path / "m" / "files"
    make_pptx(files / "slides.pptx", [("Zebra slide", "Quokka body text"), ("Two", "Second")])
    make_docx(files / "notes.docx", ["Platypus paragraph one.", "Another paragraph."])
    make_pdf(files / "notes-ru.pdf", ["Первая страница", "Вторая страница"])
    make_video(files / "talk.mp4", seconds=3, size="320x240")
    (files / "talk.srt").write_text(SRT, encoding="utf-8")
    path = tmp_path / "m" / "media.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def _build(
    manifest: Path, tmp_path: Path, options: MediaOptions, steps: list[str] | None = None
) -> tuple[Path, dict[str, object]]:
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    outcome = build_package(
        manifest,
        tmp_path / "out",
        settings,
        make_zip=False,
        media=options,
        on_step=(steps.append if steps is not None else None),
    )
    folder = outcome.package.folder
    return folder, json.loads((folder / "oerpack.json").read_text(encoding="utf-8"))


@pytest.mark.e2e
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice is not installed")
def test_office_documents_become_pdfs_next_to_their_originals(
    manifest: Path, tmp_path: Path
) -> None:
    folder, record = _build(manifest, tmp_path, MediaOptions(thumbnails=False, page_images=False))
    files = {f["key"]: f for f in record["files"]}  # type: ignore[attr-defined]
    assert files["slides.en"]["path"].endswith(".pptx")
    pdf = files["slides.en~pdf"]
    assert pdf["origin"] == "slides.en" and pdf["media"] == "document"
    text = " ".join(p.extract_text() for p in PdfReader(folder / pdf["path"]).pages)
    assert "Zebra slide" in text and "Quokka body text" in text
    docx_pdf = PdfReader(folder / files["notes.en~pdf"]["path"])
    assert "Platypus" in docx_pdf.pages[0].extract_text()
    # The converted PDF's words are in the search index (folded) and its text in the snippets.
    assert '"quokka"' in (folder / SEARCH_DATA).read_text(encoding="utf-8")
    assert "Quokka" in (folder / SEARCH_TEXT).read_text(encoding="utf-8")
    # The viewer opens it under a readable name: the same bytes as Kolibri's storage copy.
    html = (folder / "index.html").read_text("utf-8")
    opened = re.findall(r'href="(files/[^"]*\.pdf)"[^>]*type="application/pdf"', html)
    stored = (folder / pdf["path"]).read_bytes()
    assert any((folder / href).read_bytes() == stored for href in opened), opened


def test_without_libreoffice_the_original_is_kept_and_the_build_says_so(
    manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OERPACK_SOFFICE", "no-such-soffice")
    outcome = build_package(
        manifest,
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "cache"),
        make_zip=False,
        media=MediaOptions(thumbnails=False, page_images=False),
    )
    record = json.loads((outcome.package.folder / "oerpack.json").read_text(encoding="utf-8"))
    keys = [f["key"] for f in record["files"]]
    assert "slides.en" in keys and "slides.en~pdf" not in keys
    assert any("LibreOffice (soffice) is not installed" in note for note in outcome.notes)


def test_posters_thumbnails_pages_and_subtitles(
    manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OERPACK_SOFFICE", "no-such-soffice")
    steps: list[str] = []
    folder, record = _build(manifest, tmp_path, MediaOptions(), steps)
    derived = record["derived"]
    by_role: dict[str, list[dict[str, str]]] = {}
    for d in derived:  # type: ignore[attr-defined]
        by_role.setdefault(f"{d['of']}/{d['role']}", []).append(d)
    poster = by_role["talk.en/thumbnail"][0]
    assert poster["preset"] == "video_thumbnail"
    assert (folder / poster["path"]).read_bytes()[:2] == b"\xff\xd8"  # JPEG
    thumb = by_role["notes.ru/thumbnail"][0]
    assert thumb["preset"] == "document_thumbnail"
    assert (folder / thumb["path"]).read_bytes()[:4] == b"\x89PNG"
    pages = by_role["notes.ru/page"]
    assert [Path(p["path"]).name for p in pages] == ["p0001.jpg", "p0002.jpg"]
    reader = (folder / "pages" / "notes.ru" / "index.html").read_text("utf-8")
    assert 'src="p0002.jpg"' in reader
    subtitle = by_role["talk.en/subtitle"][0]
    assert subtitle["preset"] == "video_subtitle" and subtitle["lang"] == "en"
    assert (folder / subtitle["path"]).read_text("utf-8").startswith("WEBVTT\n\n00:00:00.500")
    index = (folder / "index.html").read_text("utf-8")
    assert f'poster="{poster["path"]}"' in index
    assert f'src="{subtitle["path"]}" srclang="en"' in index
    assert 'href="pages/notes.ru/index.html"' in index
    assert any(s.startswith("page images for phones: 2 pages") for s in steps)
    sums = (folder / "SHA256SUMS").read_text("utf-8")
    assert pages[0]["path"] in sums and "pages/notes.ru/index.html" in sums


@pytest.mark.slow
def test_lite_profile_transcodes_once_and_rebuild_reuses_the_cache(
    manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OERPACK_SOFFICE", "no-such-soffice")
    make_noisy_video(manifest.parent / "files" / "talk.mp4")
    options = MediaOptions(video_profile="lite", thumbnails=False, page_images=False)
    steps: list[str] = []
    _folder, record = _build(manifest, tmp_path, options, steps)
    talk = next(f for f in record["files"] if f["key"] == "talk.en")  # type: ignore[attr-defined]
    assert talk["profile"] == "lite"
    assert any(s.startswith("encoding talk.en (lite)") for s in steps)
    derived_root = tmp_path / "cache" / "derived"
    outputs = sorted(derived_root.glob("*/*/outputs.json"))
    stamps = [p.stat().st_mtime_ns for p in outputs]
    steps.clear()
    _, again = _build(manifest, tmp_path, options, steps)
    assert not any(s.startswith("encoding") for s in steps)
    assert sorted(derived_root.glob("*/*/outputs.json")) == outputs
    assert [p.stat().st_mtime_ns for p in outputs] == stamps
    assert again["files"] == record["files"]


def test_fit_fails_saying_what_does_not_fit(
    manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OERPACK_SOFFICE", "no-such-soffice")
    with pytest.raises(DoesNotFitError, match=r"talk\.en") as info:
        _build(manifest, tmp_path, MediaOptions(fit=20_000))
    assert info.value.hint
