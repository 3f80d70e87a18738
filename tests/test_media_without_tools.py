"""A machine without ffmpeg still builds a package; only what needs ffmpeg is left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.cli import main
from oerpack.errors import ExitCode


@pytest.fixture
def no_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH with everything but ffmpeg and ffprobe."""
    assert shutil.which("ffmpeg"), "the test setup installs ffmpeg; this test hides it"
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert shutil.which("ffmpeg") is None


def test_build_without_ffmpeg_packages_videos_without_posters(
    no_ffmpeg: None, demo_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        main, ["build", str(demo_copy), "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == 0, result.output
    assert "ffmpeg is not installed" in result.stderr
    record = json.loads((out / "demo" / "oerpack.json").read_text(encoding="utf-8"))
    videos = {f["key"] for f in record["files"] if f["media"] == "video"}
    assert videos == {"sample-recording.en", "sample-recording.ru"}
    derived_of = {d["of"] for d in record["derived"]}
    assert not videos & derived_of  # no posters
    assert derived_of  # documents still get thumbnails and page images (no ffmpeg needed)


def test_video_profile_without_ffmpeg_is_a_clear_error(
    no_ffmpeg: None, demo_copy: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(demo_copy),
            "--out",
            str(tmp_path / "dist"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--video-profile",
            "lite",
        ],
    )
    assert result.exit_code == ExitCode.FAILURE
    assert "needs ffmpeg" in result.stderr and "apt-get install ffmpeg" in result.stderr
    assert "Traceback" not in result.output
