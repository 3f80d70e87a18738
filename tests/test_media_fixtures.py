"""Sanity checks for the fixture generators in ``tests/support/media.py``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support.media import make_bytes, make_pdf, make_video


def test_make_pdf_text_is_extractable(tmp_path: Path) -> None:
    pages = ["Open educational resources.", "Дистанционное обучение в сельской местности.", "Third"]
    path = make_pdf(tmp_path / "doc.pdf", pages, title="Sample")

    reader = PdfReader(path)

    assert len(reader.pages) == 3
    assert "Open educational resources." in reader.pages[0].extract_text()
    assert "Дистанционное" in reader.pages[1].extract_text()
    assert reader.metadata is not None and reader.metadata.title == "Sample"


def test_make_pdf_is_deterministic(tmp_path: Path) -> None:
    first = make_pdf(tmp_path / "a.pdf", ["Привет", "world"], title="T")
    second = make_pdf(tmp_path / "b.pdf", ["Привет", "world"], title="T")

    assert first.read_bytes() == second.read_bytes()


def test_make_pdf_rejects_no_pages(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_pdf(tmp_path / "empty.pdf", [])


def _probe(path: Path) -> dict[str, object]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration",
         "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_make_video_is_small_h264_aac_mp4(tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.mp4", seconds=2.5, text="Sample: it's a тест")

    data = path.read_bytes()
    probe = _probe(path)
    streams = {(s["codec_type"], s["codec_name"]) for s in probe["streams"]}  # type: ignore[attr-defined]

    assert data[4:8] == b"ftyp"
    assert data.index(b"moov") < data.index(b"mdat"), "+faststart puts moov first"
    assert len(data) < 100_000
    assert streams == {("video", "h264"), ("audio", "aac")}
    assert float(probe["format"]["duration"]) == pytest.approx(2.5, abs=0.2)  # type: ignore[index]


def test_make_video_is_deterministic(tmp_path: Path) -> None:
    first = make_video(tmp_path / "a.mp4", seconds=1.0)
    second = make_video(tmp_path / "b.mp4", seconds=1.0)

    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(("size", "seed"), [(0, 0), (1, 0), (1000, 0), (1000, 7), (1 << 20, 3)])
def test_make_bytes_is_deterministic(size: int, seed: int) -> None:
    data = make_bytes(size, seed)

    assert len(data) == size
    assert data == make_bytes(size, seed)


def test_make_bytes_seeds_differ() -> None:
    assert make_bytes(64, 1) != make_bytes(64, 2)
    assert make_bytes(10, 5) == make_bytes(20, 5)[:10]
