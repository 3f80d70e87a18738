"""Pure subtitle conversion: SRT or VTT text to WebVTT, as browsers and Kolibri play it."""

from __future__ import annotations

import re

from ..filetypes import MediaKind, exts_of

_SRT_TIME = re.compile(
    r"^\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})"
    r"(.*)$"
)
SUBTITLE_EXTS = exts_of(MediaKind.SUBTITLE)


def _stamp(h: str, m: str, s: str, ms: str) -> str:
    return f"{int(h):02d}:{m}:{s}.{ms.ljust(3, '0')}"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def srt_to_vtt(text: str) -> str:
    """WebVTT for SubRip ``text``: a header, ``.`` millisecond separators, no cue numbers."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    out = ["WEBVTT", ""]
    for index, line in enumerate(lines):
        match = _SRT_TIME.match(line)
        if match:
            g = match.groups()
            out.append(f"{_stamp(*g[0:4])} --> {_stamp(*g[4:8])}{g[8].rstrip()}")
        elif (
            line.strip().isdigit() and index + 1 < len(lines) and _SRT_TIME.match(lines[index + 1])
        ):
            continue  # the SRT cue number
        else:
            out.append(line.rstrip())
    return "\n".join(out).rstrip("\n") + "\n"


def to_vtt(data: bytes, ext: str) -> bytes:
    """WebVTT bytes (UTF-8) for a subtitle file with extension ``ext`` (vtt or srt)."""
    text = _decode(data)
    if ext == "srt":
        return srt_to_vtt(text).encode("utf-8")
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if not text.startswith("WEBVTT"):
        text = "WEBVTT\n\n" + text
    return text.encode("utf-8")


_VTT_TIME = re.compile(
    r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})\s*-->\s*"
    r"(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})"
)


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    """The cues of WebVTT ``text`` as (start, end, cue text), in file order; NOTE, STYLE and
    REGION blocks and cue settings are left out. For players that cannot load the file
    itself (a <track> from ``file://``)."""
    cues = []
    blocks = text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")
    for block in blocks:
        lines = block.strip("\n").split("\n")
        for index, line in enumerate(lines[:2]):
            match = _VTT_TIME.match(line)
            if match and "-->" in line:
                g = match.groups()
                cues.append((_seconds(*g[0:4]), _seconds(*g[4:8]), "\n".join(lines[index + 1 :])))
                break
    return cues
