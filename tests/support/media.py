"""Generate test fixtures (PDFs, short videos, random bytes) at test time.

Nothing here is committed as a binary: tests and ``manifests/demo/make_demo.py``
call these functions to build the files they need.

Determinism (checked with fpdf2 2.8.9 and Debian ffmpeg 5.1 / libx264 164):

* :func:`make_pdf` output is byte-identical across runs: the creation date is
  fixed, fpdf2 derives the PDF ``/ID`` from an MD5 of the content, and the font
  subset is built from the characters used.
* :func:`make_video` output is byte-identical across runs on the same machine
  and ffmpeg build (``+bitexact`` flags, no metadata, one thread). Another
  ffmpeg or libx264 version may encode differently, so pin videos by checksum
  only within one build environment.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

__all__ = ["FFMPEG", "FONT_PATH", "make_bytes", "make_noisy_video", "make_pdf", "make_video"]

#: Debian package ``fonts-dejavu-core``; DejaVu covers Latin and Cyrillic.
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
#: Debian package ``ffmpeg`` (built with libx264, the native AAC encoder and drawtext).
FFMPEG = "ffmpeg"

_FIXED_DATE = datetime(2020, 1, 1, tzinfo=UTC)


def make_pdf(path: Path, pages: Sequence[str], *, title: str | None = None) -> Path:
    """Write an A4 PDF with one page per entry of *pages* and return *path*.

    Each page's text is laid out as wrapped paragraphs (``\\n`` breaks lines) in
    DejaVu Sans, so Cyrillic works and ``pypdf`` can extract it. *title*, when
    given, becomes the document's metadata title and a heading on page 1.
    The bytes depend only on the arguments (fixed creation date).
    """
    if not pages:
        raise ValueError("make_pdf needs at least one page")
    pdf = FPDF(format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_creator("oerpack test fixtures")
    pdf.set_producer("oerpack test fixtures")
    if title is not None:
        pdf.set_title(title)
    pdf.add_font("DejaVu", fname=str(FONT_PATH))
    for number, text in enumerate(pages):
        pdf.add_page()
        if number == 0 and title is not None:
            pdf.set_font("DejaVu", size=18)
            pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("DejaVu", size=12)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def make_video(
    path: Path, *, seconds: float = 2.0, size: str = "160x120", text: str | None = None
) -> Path:
    """Encode a short H.264 + AAC MP4 (``+faststart``) with ffmpeg and return *path*.

    The picture is lavfi ``testsrc`` (10 fps) with an optional *text* caption
    burnt in (any text DejaVu Sans can draw, Cyrillic included); the sound is a
    440 Hz sine (mono, 22.05 kHz). Two seconds at 160x120 is about 20-30 KB.
    Bitexact flags, ``-map_metadata -1`` and ``-threads 1`` make two runs with
    the same ffmpeg build produce identical bytes (verified with Debian
    ffmpeg 5.1); other builds may differ.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="oerpack-video-") as scratch:
        video_filter = "format=yuv420p"
        if text is not None:
            # textfile= sidesteps ffmpeg's two-level filtergraph escaping of quotes and colons.
            caption = Path(scratch) / "caption.txt"
            caption.write_text(text, encoding="utf-8")
            video_filter = (
                f"drawtext=fontfile={FONT_PATH}:textfile={caption}:fontsize=14"
                ":fontcolor=white:box=1:boxcolor=black@0.6:x=4:y=h-th-6," + video_filter
            )
        command = [
            FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=22050:duration={seconds}",
            "-vf", video_filter,
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "35", "-g", "20",
            "-c:a", "aac", "-b:a", "32k", "-ac", "1",
            "-threads", "1", "-shortest",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-map_metadata", "-1", "-movflags", "+faststart",
            str(path),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True)
    return path


def make_noisy_video(
    path: Path,
    *,
    seconds: float = 3.0,
    size: str = "320x240",
    crf: int = 20,
    seed: int = 0,
    channels: int = 1,
) -> Path:
    """A short, deliberately big H.264 + AAC MP4: moving noise at a low CRF, far above
    the video profiles' bitrate caps, so a transcode is clearly smaller. ``seed`` makes
    different clips (different noise), ``channels`` the sound's channel count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency={440 + seed}:sample_rate=44100:duration={seconds}",
        "-vf", f"noise=alls=40:allf=t:all_seed={seed + 1}",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", str(channels), "-threads", "1", "-shortest",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-map_metadata", "-1", "-movflags", "+faststart",
        str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return path


def make_bytes(size: int, seed: int = 0, head: bytes = b"") -> bytes:
    """Return *size* deterministic pseudo-random bytes for *seed*, starting with *head*
    (e.g. ``tests.support.server.MP4_HEAD``) where a download must recognise the type.

    SHAKE-256 of the seed: fast (hundreds of MB/s), stable across Python
    versions and platforms, and incompressible enough to defeat gzip.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    body = hashlib.shake_256(f"oerpack-fixture-{seed}".encode()).digest(size)
    return (head + body[len(head) :])[:size]
