"""The one table of file types, and the views other stages take of it."""

from __future__ import annotations

import pytest

from oerpack import filetypes
from oerpack.filetypes import MediaKind, file_type, looks_like
from oerpack.kolibri import schema


def test_every_kolibri_format_is_in_the_table_with_the_same_kind() -> None:
    for ext, kind in schema.KIND_BY_EXT.items():
        found = file_type(ext)
        assert found is not None, ext
        assert found.kind.value == kind, ext


@pytest.mark.parametrize(
    ("ext", "head", "fits"),
    [
        ("pdf", b"%PDF-1.7\n", True),
        ("pdf", b"<!DOCTYPE html><html>", False),
        ("pdf", b"\x1f\x8b\x08\x00", False),  # a gzip body is not the PDF
        ("mp4", b"\x00\x00\x00\x20ftypisom", True),
        ("mov", b"\x00\x00\x00\x14ftypqt  ", True),
        ("mp4", b"<html>", False),
        ("pptx", b"PK\x03\x04\x14\x00", True),
        ("ppt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
        ("docx", b"%PDF-", False),
        ("webm", b"\x1a\x45\xdf\xa3", True),
        ("srt", b"1\n00:00:01,000 --> 00:00:02,000\n", None),
        ("xyz", b"anything", None),
    ],
)
def test_looks_like(ext: str, head: bytes, fits: bool | None) -> None:
    assert looks_like(ext, head) is fits


def test_compressed_media_are_stored_and_text_is_deflated() -> None:
    for ext in ("mp4", "mov", "m4v", "mkv", "webm", "mp3", "pdf", "pptx", "png", "jpg", "zip"):
        assert filetypes.is_stored(ext), ext
    for ext in ("vtt", "srt", "html", "js", "json", "txt", "bin", "ppt", "doc"):
        assert not filetypes.is_stored(ext), ext


@pytest.mark.parametrize(
    ("ext", "media"),
    [
        ("pdf", MediaKind.DOCUMENT),
        ("MP4", MediaKind.VIDEO),
        ("mov", MediaKind.VIDEO),
        ("mp3", MediaKind.AUDIO),
        ("pptx", MediaKind.OTHER),
        ("vtt", MediaKind.OTHER),
        ("bin", MediaKind.OTHER),
    ],
)
def test_media_of(ext: str, media: MediaKind) -> None:
    assert filetypes.media_of(ext) == media


def test_mime_round_trip_and_browser_types() -> None:
    assert filetypes.ext_for_mime("application/pdf; charset=binary") == "pdf"
    assert filetypes.ext_for_mime("video/mp4") == "mp4"
    assert filetypes.ext_for_mime("text/html") is None
    assert file_type("mov") is not None and file_type("mov").browser_type == "video/mp4"  # type: ignore[union-attr]
    assert filetypes.is_iso_media("m4v") and not filetypes.is_iso_media("webm")
