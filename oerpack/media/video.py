"""Run ffmpeg and ffprobe: probe a duration, transcode to a profile, grab a poster frame."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import OerpackError
from .profiles import VideoProfile

log = logging.getLogger(__name__)
FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
#: Called with (seconds encoded, total seconds) while ffmpeg runs.
EncodeProgress = Callable[[float, float], None]


class MediaToolError(OerpackError):
    """An external media tool (ffmpeg, LibreOffice) failed or is missing."""


def have_ffmpeg() -> bool:
    return shutil.which(FFMPEG) is not None and shutil.which(FFPROBE) is not None


def probe_duration(path: Path) -> float:
    """The media's duration in seconds according to ffprobe."""
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        return float(result.stdout.strip())
    except ValueError:
        raise MediaToolError(
            f"{path}: ffprobe cannot read a duration: {result.stderr.strip()[:200]}",
            hint="is the file a video? try playing it",
        ) from None


def transcode_command(src: Path, dest: Path, profile: VideoProfile) -> list[str]:
    """The ffmpeg command that encodes ``src`` with ``profile`` (H.264 + AAC, faststart)."""
    scale = f"scale=-2:'min({profile.max_height},ih)':flags=bicubic,format=yuv420p"
    return [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
        "-map", "0:v:0", "-map", "0:a:0?", "-vf", scale,
        "-c:v", "libx264", "-preset", "medium", "-crf", str(profile.crf),
        "-maxrate", f"{profile.maxrate_kbps}k", "-bufsize", f"{profile.maxrate_kbps * 2}k",
        "-profile:v", "main", "-c:a", "aac", "-b:a", f"{profile.audio_kbps}k",
        "-af", f"aformat=channel_layouts={_layouts(profile.audio_channels)}",
        "-movflags", "+faststart",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-progress", "pipe:1", "-nostats",
        str(dest),
    ]  # fmt: skip


def _layouts(channels: int) -> str:
    """ffmpeg keeps the source's layout when it is allowed: mono stays mono, 5.1 becomes
    stereo (``-ac`` would turn mono into two identical channels)."""
    return "mono" if channels == 1 else "mono|stereo"


def transcode(
    src: Path,
    dest: Path,
    profile: VideoProfile,
    *,
    seconds: float,
    on_progress: EncodeProgress | None = None,
    timeout: float | None = None,
) -> None:
    """Encode ``src`` into ``dest`` (an ``.mp4`` path), reporting progress from ffmpeg's
    ``-progress`` output; ``dest`` is removed if ffmpeg fails."""
    command = transcode_command(src, dest, profile)
    log.info("encoding %s with profile %s", src, profile.name)
    # stderr goes to a file, not a pipe: a pipe nobody reads while we follow stdout fills
    # up (64 KiB) on a chatty failure and both processes wait for each other forever.
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            name, _, value = line.strip().partition("=")
            if name == "out_time_us" and on_progress and value.isdigit():
                on_progress(min(int(value) / 1e6, seconds), seconds)
        code = proc.wait(timeout=timeout)
        errors.seek(max(0, errors.seek(0, 2) - 4096))
        stderr = errors.read().decode("utf-8", errors="replace")
    if code != 0:
        dest.unlink(missing_ok=True)
        raise MediaToolError(
            f"{src}: ffmpeg failed ({code}): {stderr.strip()[-300:]}",
            hint="check that the source plays; see ffmpeg's message above",
        )


def extract_frame(src: Path, dest: Path, *, at: float, width: int = 640) -> None:
    """Write one frame of ``src`` at ``at`` seconds as an image (format from ``dest``'s
    suffix), scaled down to at most ``width`` pixels wide."""
    command = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-ss", f"{at:.3f}",
        "-i", str(src), "-frames:v", "1", "-vf", f"scale='min({width},iw)':-2",
        "-q:v", "4", str(dest),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not dest.exists() or dest.stat().st_size == 0:
        dest.unlink(missing_ok=True)
        raise MediaToolError(
            f"{src}: ffmpeg could not grab a frame: {result.stderr.strip()[-300:]}"
        )
