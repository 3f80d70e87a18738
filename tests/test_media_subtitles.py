"""Pure tests: SRT and VTT to WebVTT."""

from __future__ import annotations

import pytest

from oerpack.media.subtitles import srt_to_vtt, to_vtt, vtt_cues


@pytest.mark.parametrize(
    ("srt", "vtt"),
    [
        (
            "1\n00:00:01,000 --> 00:00:02,500\nHello\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n",
        ),
        # CRLF, BOM, two cues, multi-line text
        (
            "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nA\r\nB\r\n\r\n2\r\n"
            "00:01:00,5 --> 01:02:03,250\r\nC\r\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\nB\n\n00:01:00.500 --> 01:02:03.250\nC\n",
        ),
        # A number that is cue text, not a cue id, is kept
        ("1\n00:00:01,000 --> 00:00:02,000\n42\n", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n42\n"),
        # One-digit hours and cue settings after the times
        (
            "7\n0:00:01,000 --> 0:00:02,000 align:start\nX\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\nX\n",
        ),
        ("", "WEBVTT\n"),
    ],
)
def test_srt_to_vtt(srt: str, vtt: str) -> None:
    assert srt_to_vtt(srt) == vtt


@pytest.mark.parametrize(
    ("data", "ext", "expected"),
    [
        (
            b"WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nHi\r\n",
            "vtt",
            "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n",
        ),
        (b"00:00.000 --> 00:01.000\nHi\n", "vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nПривет\n".encode("cp1251"),
            "srt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nПривет\n",
        ),
    ],
)
def test_to_vtt(data: bytes, ext: str, expected: str) -> None:
    assert to_vtt(data, ext).decode("utf-8") == expected


@pytest.mark.parametrize(
    ("vtt", "cues"),
    [
        (
            "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHello\n\n"
            "intro\n01:02:03.250 --> 01:02:04.000 align:start\n<i>Two</i>\nlines\n",
            [(0.5, 1.5, "Hello"), (3723.25, 3724.0, "<i>Two</i>\nlines")],
        ),
        # Hours are optional; CRLF; NOTE and STYLE blocks are not cues
        (
            "WEBVTT - title\r\n\r\nNOTE a --> b\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\n"
            "00:01.000 --> 00:02.000\r\nX\r\n",
            [(1.0, 2.0, "X")],
        ),
        ("WEBVTT\n", []),
    ],
)
def test_vtt_cues(vtt: str, cues: list[tuple[float, float, str]]) -> None:
    assert vtt_cues(vtt) == cues


def test_vtt_cues_of_converted_srt() -> None:
    srt = "1\n00:00:00,500 --> 00:00:01,500\nHello\n\n2\n00:00:01,600 --> 00:00:02,000\nBye\n"
    assert vtt_cues(srt_to_vtt(srt)) == [(0.5, 1.5, "Hello"), (1.6, 2.0, "Bye")]
