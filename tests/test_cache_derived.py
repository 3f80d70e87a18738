"""The cache's derived/ (transcodes, page images, thumbnails) is counted and pruned by recipe
(issue 16, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cache import Cache
from oerpack.cli import main
from oerpack.lock import lock_path
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.support.media import make_noisy_video, make_pdf

MANIFEST = """\
oerpack: 1
event:
  id: derived-test
  title: Derived test
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


def _folders(cache: Path) -> set[str]:
    return {p.name for p in (cache / "derived").glob("*/*") if p.is_dir()}


@pytest.mark.slow
def test_derived_media_is_counted_and_pruned_by_recipe(tmp_path: Path) -> None:
    make_pdf(tmp_path / "m" / "files" / "guide.pdf", ["One", "Two"])
    make_noisy_video(tmp_path / "m" / "files" / "talk.mp4", seconds=2)
    manifest = tmp_path / "m" / "d.yaml"
    manifest.write_text(MANIFEST, "utf-8")
    cache = tmp_path / "cache"
    settings = Settings(cache_dir=cache)

    def build(profile: str) -> set[str]:
        steps: list[str] = []
        build_package(
            manifest,
            tmp_path / "out",
            settings,
            make_zip=False,
            media=MediaOptions(video_profile=profile),
            on_step=steps.append,
        )
        return {s for s in steps if s.startswith(("encoding", "rendering page"))}

    build("lite")
    lite_folders = _folders(cache)
    usage = Cache(cache).usage()
    assert usage.derived >= 4 and usage.derived_bytes > 0  # transcode, poster, thumbnail, pages
    shown = CliRunner().invoke(main, ["cache", "--cache-dir", str(cache)])
    assert f"derived media {usage.derived} item(s)" in shown.output

    build("original")  # another recipe for the video: the lite transcode is not needed now
    assert _folders(cache) == lite_folders  # nothing new: pages, thumbnails were cached
    referenced = set(Cache(cache).derived_used([lock_path(manifest)]))
    assert '"derived":' not in lock_path(manifest).read_text(encoding="utf-8")
    stale = lite_folders - referenced
    assert len(stale) == 1  # the lite transcode
    dry = CliRunner().invoke(main, ["cache", "--cache-dir", str(cache), "--prune", "--dry-run"])
    assert dry.exit_code == 0 and "and 1 derived item(s)" in dry.output, dry.output
    assert _folders(cache) == lite_folders
    pruned = CliRunner().invoke(main, ["cache", "--cache-dir", str(cache), "--prune"])
    assert pruned.exit_code == 0 and "Pruned 0 file(s)" in pruned.output, pruned.output
    assert _folders(cache) == lite_folders - stale
    assert build("original") == set()  # what the lock references stayed: nothing redone
