"""Posters and thumbnails: a frame of each video, the first page of each document."""

from __future__ import annotations

from pathlib import Path

from .pages import render_first_page
from .video import extract_frame

THUMB_WIDTH = 480


def poster_time(seconds: float) -> float:
    """Where to grab a video's poster: 10% in (past title cards and black), at most 30 s."""
    return max(0.0, min(seconds * 0.1, 30.0))


def video_poster(video: Path, dest: Path, *, seconds: float) -> None:
    extract_frame(video, dest, at=poster_time(seconds), width=THUMB_WIDTH)


def document_thumbnail(pdf: Path, dest: Path) -> None:
    render_first_page(pdf, dest, width=THUMB_WIDTH)
