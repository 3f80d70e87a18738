"""oerpack.media.mp4: durations from ffmpeg-made files and hand-built box structures."""

from __future__ import annotations

import io
import json
import struct
import subprocess
from pathlib import Path

import pytest

from oerpack.media.mp4 import Mp4FormatError, read_duration, video_duration
from tests.support.media import FFMPEG, make_video


def _ffprobe_duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


def _remux(src: Path, dest: Path, *flags: str) -> Path:
    subprocess.run(
        [
            FFMPEG,
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(src),
            "-c",
            "copy",
            *flags,
            str(dest),
        ],
        check=True,
        capture_output=True,
    )
    return dest


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _mvhd(version: int, timescale: int, duration: int) -> bytes:
    if version == 1:
        fields = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        fields = struct.pack(">IIII", 0, 0, timescale, duration)
    return _box(b"mvhd", bytes([version, 0, 0, 0]) + fields + bytes(80))


@pytest.fixture(scope="module")
def faststart_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("mp4") / "fast.mp4", seconds=3.0)


def test_faststart_file_matches_ffprobe(faststart_video: Path) -> None:
    duration = video_duration(faststart_video)
    assert duration == pytest.approx(_ffprobe_duration(faststart_video), abs=0.05)
    assert duration == pytest.approx(3.0, abs=0.1)


def test_moov_after_mdat(faststart_video: Path, tmp_path: Path) -> None:
    tail = _remux(faststart_video, tmp_path / "tail.mp4")
    data = tail.read_bytes()
    assert data.index(b"mdat") < data.index(b"moov"), "remux should put moov last"
    assert video_duration(tail) == pytest.approx(_ffprobe_duration(tail), abs=0.05)


@pytest.mark.parametrize("flags", ["frag_keyframe", "frag_keyframe+empty_moov"])
def test_fragmented_file_without_mehd_is_unknown(
    faststart_video: Path, tmp_path: Path, flags: str
) -> None:
    # mvhd covers only the samples in moov here: better unknown than a wrong duration.
    frag = _remux(faststart_video, tmp_path / "frag.mp4", "-movflags", flags)
    assert b"mvex" in frag.read_bytes()
    assert video_duration(frag) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_box(b"ftyp", b"isom\0\0\0\0") + _box(b"moov", _mvhd(0, 1000, 90_500)), 90.5),
        (_box(b"moov", _mvhd(1, 600, 600 * 3600 * 5)), 5 * 3600.0),
        # 64-bit box size (size field 1) on moov
        (struct.pack(">I4sQ", 1, b"moov", 16 + len(_mvhd(0, 10, 25))) + _mvhd(0, 10, 25), 2.5),
        # size 0: the last box runs to the end of the file
        (_box(b"free", b"") + struct.pack(">I4s", 0, b"moov") + _mvhd(0, 1, 7), 7.0),
        (_box(b"moov", _mvhd(0, 1000, 0)), None),  # unknown, no mehd
        (_box(b"moov", _mvhd(0, 1000, 0xFFFFFFFF)), None),
        (
            _box(
                b"moov",
                _mvhd(0, 1000, 5000)
                + _box(b"mvex", _box(b"mehd", bytes(4) + struct.pack(">I", 42_000))),
            ),
            42.0,
        ),
        (_box(b"moov", _mvhd(0, 1000, 5000) + _box(b"mvex", b"")), None),
        (_box(b"ftyp", b"isom") + bytes(5), None),  # trailing bytes shorter than a header
        (b"", None),
    ],
)
def test_box_structures(data: bytes, expected: float | None) -> None:
    assert read_duration(io.BytesIO(data)) == expected


@pytest.mark.parametrize(
    "data",
    [
        _box(b"moov", _box(b"trak", b"")),  # no mvhd
        _box(b"moov", _mvhd(0, 0, 100)),  # zero timescale
        _box(b"moov", _box(b"mvhd", b"\0\0\0\0\0\0")),  # truncated mvhd
        struct.pack(">I4s", 4, b"moov"),  # size smaller than its header
        _box(b"moov", struct.pack(">I4s", 999, b"mvhd")),  # child overruns parent
        b"%PDF-1.7\n" + bytes(100),  # not an MP4: the first "box" overruns the file
    ],
)
def test_broken_structures_raise(data: bytes) -> None:
    with pytest.raises(Mp4FormatError):
        read_duration(io.BytesIO(data))


def test_video_duration_warns_and_returns_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(_box(b"moov", _mvhd(0, 0, 1)))
    assert video_duration(bad) is None
    assert "cannot read video duration" in caplog.text
    assert video_duration(tmp_path / "missing.mp4") is None


def test_truncated_real_file(faststart_video: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    data = faststart_video.read_bytes()
    moov = data.index(b"moov") - 4
    cut.write_bytes(data[: moov + 40])  # moov header says more than the file holds
    assert video_duration(cut) is None
