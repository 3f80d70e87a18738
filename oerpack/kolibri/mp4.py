"""Read a video's duration from its MP4 ``moov/mvhd`` box, without third-party tools."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_HEADER = struct.Struct(">I4s")


def _boxes(handle: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """``(type, payload start, payload end)`` of the boxes between ``start`` and ``end``."""
    boxes = []
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = _HEADER.unpack(handle.read(8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", handle.read(8))
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            break
        boxes.append((kind, offset + header, min(offset + size, end)))
        offset += size
    return boxes


def mp4_duration(path: Path) -> float | None:
    """Seconds of the movie, or None when ``path`` is not an MP4 with a movie header."""
    try:
        with path.open("rb") as handle:
            end = path.stat().st_size
            moov = next((b for b in _boxes(handle, 0, end) if b[0] == b"moov"), None)
            if moov is None:
                return None
            mvhd = next((b for b in _boxes(handle, moov[1], moov[2]) if b[0] == b"mvhd"), None)
            if mvhd is None:
                return None
            handle.seek(mvhd[1])
            version = handle.read(4)[0]
            if version == 1:
                timescale, duration = struct.unpack(">IQ", handle.read(28)[16:])
            else:
                timescale, duration = struct.unpack(">II", handle.read(16)[8:])
    except (OSError, struct.error, IndexError):
        return None
    return duration / timescale if timescale else None
