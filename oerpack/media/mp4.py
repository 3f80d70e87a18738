"""Video duration from an MP4/MOV file's ``moov/mvhd`` box, in pure Python.

Only box headers are read; the media data (``mdat``) is skipped with ``seek``, so a
multi-gigabyte recording costs a few small reads whether ``moov`` sits before or
after it. In a fragmented file (``moov/mvex``) ``mvhd`` covers only the samples in
``moov``, so the duration comes from ``mvex/mehd`` or is unknown (None): summing every
fragment's samples is not worth the code for files that event sites rarely serve.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">I4s")
_MAX_MOOV = 64 * 1024 * 1024  # a moov this large is a broken file, not a long video
_UNKNOWN_32 = 0xFFFFFFFF
_UNKNOWN_64 = 0xFFFFFFFFFFFFFFFF


class Mp4FormatError(ValueError):
    """The bytes are not a well-formed MP4 box structure."""


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """``(type, payload_offset, payload_end)`` of each box in ``[start, end)``."""
    offset = start
    while offset + _HEADER.size <= end:
        stream.seek(offset)
        header = stream.read(_HEADER.size)
        if len(header) < _HEADER.size:
            raise Mp4FormatError(f"truncated box header at byte {offset}")
        size, kind = _HEADER.unpack(header)
        payload = offset + _HEADER.size
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                raise Mp4FormatError(f"truncated 64-bit box size at byte {offset}")
            size = struct.unpack(">Q", large)[0]
            payload += 8
        elif size == 0:  # the box runs to the end of its parent (or of the file)
            size = end - offset
        box_end = offset + size
        if size < payload - offset or box_end > end:
            raise Mp4FormatError(f"box {kind!r} at byte {offset} has a bad size {size}")
        yield kind, payload, box_end
        offset = box_end


def _find(stream: BinaryIO, kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    for found, payload, box_end in _boxes(stream, start, end):
        if found == kind:
            return payload, box_end
    return None


def _full_box_fields(data: bytes, v0: str, v1: str) -> tuple[int, ...]:
    """The fields after a full box's version/flags, in the layout for its version."""
    if not data:
        raise Mp4FormatError("empty full box")
    layout = struct.Struct(v1 if data[0] == 1 else v0)
    if len(data) < 4 + layout.size:
        raise Mp4FormatError("truncated full box")
    return tuple(layout.unpack_from(data, 4))


def _read(stream: BinaryIO, payload: int, end: int, limit: int = 64) -> bytes:
    stream.seek(payload)
    return stream.read(min(end - payload, limit))


def read_duration(stream: BinaryIO) -> float | None:
    """Seconds of the movie in ``stream`` (an MP4/MOV file), or None if it does not say.

    Raises :class:`Mp4FormatError` when the box structure is broken.
    """
    moov = _find(stream, b"moov", 0, stream.seek(0, 2))
    if moov is None:
        return None
    if moov[1] - moov[0] > _MAX_MOOV:
        raise Mp4FormatError(f"moov box of {moov[1] - moov[0]} bytes")
    mvhd = _find(stream, b"mvhd", *moov)
    if mvhd is None:
        raise Mp4FormatError("moov has no mvhd box")
    _, _, timescale, duration = _full_box_fields(_read(stream, *mvhd), ">IIII", ">QQIQ")
    if timescale == 0:
        raise Mp4FormatError("mvhd timescale is 0")
    mvex = _find(stream, b"mvex", *moov)
    if mvex is not None:
        duration = _fragment_duration(stream, mvex) or 0
    if duration in (0, _UNKNOWN_32, _UNKNOWN_64):
        return None
    return duration / timescale


def _fragment_duration(stream: BinaryIO, mvex: tuple[int, int]) -> int | None:
    mehd = _find(stream, b"mehd", *mvex)
    if mehd is None:
        return None
    (duration,) = _full_box_fields(_read(stream, *mehd), ">I", ">Q")
    return duration or None


def video_duration(path: Path) -> float | None:
    """Seconds of the MP4 video at ``path``; None (and a warning) if it cannot tell."""
    try:
        with path.open("rb") as stream:
            return read_duration(stream)
    except (Mp4FormatError, OSError, struct.error) as exc:
        log.warning("%s: cannot read video duration: %s", path, exc)
        return None
