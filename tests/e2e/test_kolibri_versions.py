"""Channel versions against the real Kolibri: one content, one version (issue 16, item 5).

original -> lite -> original gives versions 1, 2, 1: the third package is byte-for-byte the
first one's channel, so every stick of that content is interchangeable. A Kolibri server that
imported version 2 keeps it (Kolibri only imports a higher version): the build says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oerpack.build import build_package
from oerpack.kolibri import channel_db_path
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.e2e.test_kolibri_import import import_package, kolibri_available  # noqa: F401
from tests.support.media import make_noisy_video, make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MANIFEST = """\
oerpack: 1
event:
  id: versions-test
  title: Versions test
  languages: [en]
  publisher: Test
  license: CC BY 4.0
items:
  - id: guide
    title: Guide
    kind: document
    sources:
      - {lang: en, path: files/guide.pdf}
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
"""


def test_identical_content_keeps_its_version_in_kolibri(
    tmp_path: Path,
    kolibri_available: None,  # noqa: F811
) -> None:
    make_pdf(tmp_path / "m" / "files" / "guide.pdf", ["One"])
    make_noisy_video(tmp_path / "m" / "files" / "talk.mp4", seconds=2)
    manifest = tmp_path / "m" / "versions.yaml"
    manifest.write_text(MANIFEST, "utf-8")
    settings = Settings(cache_dir=tmp_path / "cache")
    home = tmp_path / "kolibri-home"

    def build(out: str, profile: str) -> tuple[int, Path, tuple[str, ...]]:
        outcome = build_package(
            manifest,
            tmp_path / out,
            settings,
            make_zip=False,
            media=MediaOptions(video_profile=profile, page_images=False),
        )
        return outcome.channel_version, outcome.package.folder, outcome.notes

    first, folder1, _ = build("out1", "original")
    channel_id = json.loads((folder1 / "oerpack.json").read_text())["channel"]["id"]
    db1 = channel_db_path(folder1, channel_id).read_bytes()
    v1 = import_package(home, folder1, channel_id)
    lite, folder2, _ = build("out2", "lite")
    v2 = import_package(home, folder2, channel_id)
    back, folder3, notes = build("out3", "original")
    v3 = import_package(home, folder3, channel_id)

    assert (first, lite, back) == (1, 2, 1)
    assert channel_db_path(folder3, channel_id).read_bytes() == db1  # the same channel
    assert (v1["version"], v2["version"]) == (1, 2)
    video = [n["files"][0][0] for n in v2["nodes"] if n["kind"] == "video"]
    assert video != [n["files"][0][0] for n in v1["nodes"] if n["kind"] == "video"]
    assert all(n["available"] for n in v2["nodes"])
    # Kolibri keeps the higher version it has; the build warned about exactly that.
    assert v3["version"] == 2 and v3["nodes"] == v2["nodes"]
    assert any("built before as channel version 1" in n for n in notes), notes
