"""Integration: real builds (ffmpeg, no LibreOffice) give the channel database the derived
media, and the channel version follows the derived outputs."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from oerpack.build import BuildOutcome, build_package
from oerpack.kolibri import channel_db_path
from oerpack.lock import lock_path, read_lock
from oerpack.manifest import load_manifest
from oerpack.media.derive import MediaOptions
from oerpack.plan import plan_package
from oerpack.settings import Settings
from tests.support.media import make_noisy_video, make_pdf, make_video

SRT = "1\n00:00:00,500 --> 00:00:01,500\nПривет\n"
MANIFEST = """\
oerpack: 1
event:
  id: kolibri-media
  title: Kolibri media
  languages: [en, ru]
  publisher: Test
  license: CC BY 4.0
items:
  - id: notes
    title: Notes
    kind: document
    sources:
      - {lang: ru, path: files/notes.pdf}
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
      - {id: subs, lang: ru, path: files/talk.srt}
"""


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OERPACK_SOFFICE", "no-such-soffice")  # office: tests/e2e
    files = tmp_path / "m" / "files"
    make_pdf(files / "notes.pdf", ["Первая страница"])
    make_video(files / "talk.mp4", seconds=2, size="160x120")
    (files / "talk.srt").write_text(SRT, encoding="utf-8")
    path = tmp_path / "m" / "media.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def build(manifest: Path, tmp_path: Path, options: MediaOptions) -> BuildOutcome:
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    return build_package(manifest, tmp_path / "out", settings, make_zip=False, media=options)


def file_rows(outcome: BuildOutcome) -> list[tuple[object, ...]]:
    folder = outcome.package.folder
    (db_path,) = (folder / "KOLIBRI_DATA/content/databases").glob("*.sqlite3")
    assert db_path == channel_db_path(folder, db_path.stem)
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute(
            "SELECT n.kind, f.preset, f.supplementary, f.thumbnail, f.lang_id, l.extension "
            "FROM content_file f JOIN content_contentnode n ON n.id = f.contentnode_id "
            "JOIN content_localfile l ON l.id = f.local_file_id "
            "ORDER BY n.kind, f.priority, f.preset"
        ).fetchall()


def test_channel_has_thumbnails_and_subtitles_and_the_srt_is_a_track(
    manifest: Path, tmp_path: Path
) -> None:
    outcome = build(manifest, tmp_path, MediaOptions(page_images=False))
    assert file_rows(outcome) == [
        ("document", "document", 0, 0, "ru", "pdf"),
        ("document", "document_thumbnail", 1, 1, None, "png"),
        ("video", "high_res_video", 0, 0, "en", "mp4"),
        ("video", "video_thumbnail", 1, 1, None, "jpg"),
        ("video", "video_subtitle", 1, 0, "ru", "vtt"),
    ]
    assert outcome.package.notes == ()  # the SRT is not "viewer only"
    index = (outcome.package.folder / "index.html").read_text(encoding="utf-8")
    assert 'id="file-talk.subs"' not in index  # no file card of its own
    assert 'kind="subtitles"' in index and 'srclang="ru"' in index
    search = (outcome.package.folder / "assets" / "search-data.js").read_text("utf-8")
    assert "talk.subs" not in search
    readme = (outcome.package.folder / "README.txt").read_text(encoding="utf-8-sig")
    assert "talk.subs" not in readme


@pytest.mark.slow
def test_channel_version_follows_derived_media_and_stays_on_a_plain_rebuild(
    manifest: Path, tmp_path: Path
) -> None:
    make_noisy_video(manifest.parent / "files" / "talk.mp4", seconds=2)  # lite is smaller
    options = MediaOptions(page_images=False)
    versions = [build(manifest, tmp_path, options).channel_version]
    versions.append(build(manifest, tmp_path, options).channel_version)  # nothing changed
    lite = MediaOptions(page_images=False, video_profile="lite")
    versions.append(build(manifest, tmp_path, lite).channel_version)
    versions.append(build(manifest, tmp_path, lite).channel_version)
    bare = MediaOptions(page_images=False, thumbnails=False)
    versions.append(build(manifest, tmp_path, bare).channel_version)
    versions.append(build(manifest, tmp_path, options).channel_version)  # the first again
    assert versions == [1, 1, 2, 2, 3, 1]
    lock = read_lock(lock_path(manifest))
    assert lock.channel_version == 1 and sorted(v for _, v in lock.versions) == [1, 2, 3]
    # 'oerpack refresh' gives no versions: a lock read and planned again keeps the table.
    again = plan_package(load_manifest(manifest), lock)
    assert lock.content_hash is not None and lock.content_hash.startswith(again.content_hash)
