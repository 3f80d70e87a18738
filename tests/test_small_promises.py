"""The smaller promises of issue 16 (item 8), each against the real thing."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import time
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.media.derive import MediaOptions
from oerpack.models import Blob, FetchResult, LockEntry, Progress
from oerpack.package.target import fit_report
from oerpack.progress import ProgressPrinter
from oerpack.settings import Settings
from tests.support.fetching import write_manifest
from tests.support.media import make_bytes, make_pdf, make_video
from tests.support.office import make_pptx
from tests.support.server import FaultServer

HEAD = """\
oerpack: 1
event:
  id: small
  title: {en: Small, ru: Малое}
  languages: [en, ru]
  publisher: Test
  license: CC BY 4.0
items:
"""


def _manifest(folder: Path, items: str) -> Path:
    path = folder / "small.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD + items, encoding="utf-8")
    return path


def _build(manifest: Path, tmp_path: Path, **options: object) -> tuple[Path, list[str]]:
    outcome = build_package(
        manifest,
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "cache"),
        media=MediaOptions(**options),  # type: ignore[arg-type]
    )
    return outcome.package.folder, list(outcome.notes)


def test_the_summary_counts_download_time_only() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream=stream, tty=False)
    blob = Blob(path=Path("x"), size=1000, sha256="0" * 64, md5="0" * 32)
    result = FetchResult(key="a.en", blob=blob, entry=LockEntry(), from_cache=True)
    printer(Progress("done", "a.en", result=result))
    time.sleep(0.5)  # the build goes on: encoding, rendering …
    summary = printer.summary()
    seconds = float(re.search(r"in ([\d.]+)s", summary).group(1))  # type: ignore[union-attr]
    assert seconds < 0.3, summary


def test_the_stick_line_does_not_promise_fat32_with_large_files() -> None:
    report = fit_report([5 * 2**30, 1000], 16 * 10**9)
    text = report.describe()
    assert "on FAT32" not in text and "exFAT or NTFS" in text and report.large_files == 1
    assert "on FAT32" in fit_report([1000], 16 * 10**9).describe()


def test_incompressible_files_of_unknown_types_are_stored(tmp_path: Path) -> None:
    files = tmp_path / "m" / "files"
    files.mkdir(parents=True)
    (files / "data.bin").write_bytes(make_bytes(2 * 2**20))
    (files / "notes.bin").write_bytes(b"plain text, very repetitive. " * 50_000)
    manifest = _manifest(
        tmp_path / "m",
        "  - {id: data, title: Data, kind: document,\n"
        "     sources: [{lang: en, path: files/data.bin}]}\n"
        "  - {id: notes, title: Notes, kind: document,\n"
        "     sources: [{lang: en, path: files/notes.bin}]}\n",
    )
    folder, _ = _build(manifest, tmp_path, thumbnails=False, page_images=False)
    with zipfile.ZipFile(folder.with_suffix(".zip")) as archive:
        sizes = {i.filename: (i.file_size, i.compress_size) for i in archive.infolist()}
    by_size = {size: stored for size, stored in sizes.values()}
    assert by_size[2 * 2**20] == 2 * 2**20  # random bytes: stored, not grown
    assert by_size[len(b"plain text, very repetitive. ") * 50_000] < 100_000  # deflated


def test_event_level_recordings_get_a_recordings_topic(tmp_path: Path) -> None:
    make_video(tmp_path / "m" / "files" / "talk.mp4", seconds=1)
    manifest = _manifest(
        tmp_path / "m",
        "  - {id: talk, title: Talk, kind: recording,\n"
        "     sources: [{lang: en, path: files/talk.mp4}]}\n",
    )
    folder, _ = _build(manifest, tmp_path, thumbnails=False)
    record = json.loads((folder / "oerpack.json").read_text("utf-8"))
    db = folder / record["channel"]["database"]
    with closing(sqlite3.connect(db)) as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM content_contentnode WHERE level=1")]
    assert titles == ["Recordings / Записи"]


def test_converted_subtitles_leave_their_srt_out_and_download_names_differ(
    tmp_path: Path,
) -> None:
    files = tmp_path / "m" / "files"
    make_video(files / "talk.mp4", seconds=2)
    (files / "talk.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nHi\n", "utf-8")
    make_pdf(files / "slides.pdf", ["Slides"])
    make_pdf(files / "notes.pdf", ["Notes"])
    manifest = _manifest(
        tmp_path / "m",
        """\
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
      - {id: subs, lang: en, path: files/talk.srt}
  - id: deck
    title: Deck
    kind: presentation
    sources:
      - {id: slides, lang: en, path: files/slides.pdf}
      - {id: notes, lang: en, path: files/notes.pdf}
""",
    )
    folder, _ = _build(manifest, tmp_path, thumbnails=False, page_images=False)
    names = [p.name for p in folder.rglob("*")]
    assert not [n for n in names if n.endswith(".srt")], names
    sums = (folder / "SHA256SUMS").read_text("utf-8")
    assert ".srt" not in sums and ".vtt" in sums
    index = (folder / "index.html").read_text("utf-8")
    downloads = re.findall(r'download="([^"]+)"', index)
    assert "deck-slides.pdf" in downloads and "deck-notes.pdf" in downloads
    assert "talk-en.mp4" in downloads  # one file in its language keeps the short name
    assert len(downloads) == len(set(downloads))


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_converted_office_document_gets_a_note(tmp_path: Path) -> None:
    make_pptx(tmp_path / "m" / "files" / "deck.pptx", [("Title", "Body")])
    manifest = _manifest(
        tmp_path / "m",
        "  - {id: deck, title: Deck, kind: presentation, sources: "
        "[{lang: en, path: files/deck.pptx}]}\n",
    )
    result = CliRunner().invoke(
        main,
        ["build", str(manifest), "--out", str(tmp_path / "out"), "--cache-dir",
         str(tmp_path / "cache"), "--no-page-images"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Note: deck.en: PPTX converted to PDF for Kolibri and search" in result.stderr


def test_no_empty_partial_lock_files_stay_after_a_fetch(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/a.pdf", b"%PDF-1.4 a")
    fault_server.add("/b.pdf", b"%PDF-1.4 b")
    manifest = write_manifest(
        tmp_path / "m.yaml",
        [
            {"id": "a", "url": fault_server.url("/a.pdf")},
            {"id": "b", "url": fault_server.url("/b.pdf")},
        ],
    )
    result = CliRunner().invoke(
        main, ["fetch", str(manifest), "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "cache" / "partial").iterdir()) == []
