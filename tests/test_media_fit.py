"""--fit and the transcode rule with real ffmpeg on short noisy clips (issue 16, items 1-2)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from oerpack.build import build_package
from oerpack.errors import DoesNotFitError
from oerpack.media.derive import PACKAGE_OVERHEAD, MediaOptions
from oerpack.media.profiles import DEFAULT_MARGIN
from oerpack.package.target import fit_report
from oerpack.settings import Settings
from tests.support.media import make_noisy_video, make_pdf, make_video

MANIFEST = """\
oerpack: 1
event:
  id: fit-test
  title: Fit test
  languages: [en]
  publisher: Test
  license: CC BY 4.0
items:
  - id: guide
    title: Guide
    kind: document
    sources:
      - {lang: en, path: files/guide.pdf}
sections:
  - id: day-1
    title: Day 1
    items:
"""
TALK = """\
      - id: talk-{n}
        title: Talk {n}
        kind: recording
        sources:
          - {{lang: en, path: files/talk-{n}.mp4}}
"""


def _manifest(folder: Path, talks: int) -> Path:
    files = folder / "files"
    make_pdf(files / "guide.pdf", [f"Page {n} " + "text " * 200 for n in range(1, 9)])
    for n in range(talks):
        make_noisy_video(files / f"talk-{n}.mp4", seconds=2 + n, seed=n)
    path = folder / "fit.yaml"
    path.write_text(MANIFEST + "".join(TALK.format(n=n) for n in range(talks)), "utf-8")
    return path


def _try(manifest: Path, tmp_path: Path, fit: int) -> tuple[list[str], dict[str, str] | None]:
    steps: list[str] = []
    try:
        outcome = build_package(
            manifest,
            tmp_path / "out",
            Settings(cache_dir=tmp_path / "cache", backoff=0),
            make_zip=False,
            target_size=fit,
            media=MediaOptions(fit=fit),
            on_step=steps.append,
        )
    except DoesNotFitError:
        return steps, None
    folder = outcome.package.folder
    files = [p for p in folder.rglob("*") if p.is_file()]
    report = fit_report((p.stat().st_size for p in files), fit)
    assert report.fits, (fit, report.describe())
    record = json.loads((folder / "oerpack.json").read_text("utf-8"))
    return steps, {
        f["key"]: f["profile"] or "original" for f in record["files"] if f["media"] == "video"
    }


@pytest.mark.slow
def test_a_larger_fit_never_fails_where_a_smaller_one_fits(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "m", talks=3)
    originals = sum(p.stat().st_size for p in (manifest.parent / "files").iterdir())
    sizes = [int(originals * share) for share in (0.08, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.2, 1.6)]
    outcomes = {}
    for fit in sizes:
        steps, profiles = _try(manifest, tmp_path, fit)
        outcomes[fit] = profiles
        if profiles is not None:
            plan = [i for i, s in enumerate(steps) if s.startswith("plan: ")]
            encodes = [i for i, s in enumerate(steps) if s.startswith("encoding ")]
            assert plan and (not encodes or max(plan) < min(encodes)), steps
            assert any("about" in s and "of encoding" in s for s in steps)
            for key, profile in profiles.items():
                assert any(s.startswith(f"{key}: {profile} (") for s in steps), (key, steps)
    fits = [outcomes[fit] is not None for fit in sizes]
    assert fits == sorted(fits), outcomes  # False … False True … True
    assert not fits[0] and fits[-1], outcomes
    used = {p for profiles in outcomes.values() if profiles for p in profiles.values()}
    assert {"original", "lite"} <= used, outcomes


@pytest.mark.slow
def test_fit_counts_page_images_and_thumbnails_before_encoding(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "m", talks=1)
    sizes = {p.name: p.stat().st_size for p in (manifest.parent / "files").iterdir()}
    # Room for the original recording, the PDF and the viewer, but not for the page
    # images and thumbnails too: the plan must see them and step the recording down.
    fit = int((sum(sizes.values()) + PACKAGE_OVERHEAD + 100_000) / (1 - DEFAULT_MARGIN))
    steps, profiles = _try(manifest, tmp_path, fit)
    assert profiles == {"talk-0.en": "lite"} or profiles == {"talk-0.en": "standard"}, steps
    assert any(s.startswith("plan: talk-0.en") and "→ original" not in s for s in steps), steps


@pytest.mark.slow
def test_a_transcode_that_is_not_clearly_smaller_is_discarded(tmp_path: Path) -> None:
    files = tmp_path / "m" / "files"
    make_video(files / "talk-0.mp4", seconds=3, size="320x240")  # CRF 35, 32 kbit/s mono
    make_pdf(files / "guide.pdf", ["One"])
    manifest = tmp_path / "m" / "fit.yaml"
    manifest.write_text(MANIFEST + TALK.format(n=0), "utf-8")
    outcome = build_package(
        manifest,
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "cache"),
        make_zip=False,
        media=MediaOptions(video_profile="standard", thumbnails=False, page_images=False),
    )
    record = json.loads((outcome.package.folder / "oerpack.json").read_text("utf-8"))
    talk = next(f for f in record["files"] if f["key"] == "talk-0.en")
    assert talk["profile"] is None and talk["size"] == (files / "talk-0.mp4").stat().st_size
    assert any(
        "talk-0.en: the standard encoding" in n and "the original is kept" in n
        for n in outcome.notes
    ), outcome.notes


@pytest.mark.slow
def test_a_mono_recording_stays_mono(tmp_path: Path) -> None:
    files = tmp_path / "m" / "files"
    make_noisy_video(files / "talk-0.mp4", seconds=2, channels=1)
    make_pdf(files / "guide.pdf", ["One"])
    manifest = tmp_path / "m" / "fit.yaml"
    manifest.write_text(MANIFEST + TALK.format(n=0), "utf-8")
    outcome = build_package(
        manifest,
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "cache"),
        make_zip=False,
        media=MediaOptions(video_profile="standard", thumbnails=False, page_images=False),
    )
    record = json.loads((outcome.package.folder / "oerpack.json").read_text("utf-8"))
    talk = next(f for f in record["files"] if f["key"] == "talk-0.en")
    assert talk["profile"] == "standard"
    channels = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=channels", "-of", "csv=p=0", str(outcome.package.folder / talk["path"])],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert channels == "1"
