"""The one table of file types: extension -> MIME type, media kind, zip storage and magic bytes.

Every stage asks this table (the planner for a file's kind, the zip writer whether to deflate,
the viewer which ``<video>`` type to declare, downloads what the first bytes must be, the event
page which links are files). Kolibri's own view of formats (kinds and presets it renders) stays
in ``oerpack.kolibri.schema``, checked against this table by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    """What a file is to a teacher: read, watch, listen, or something else."""

    DOCUMENT = "document"  # read in the browser or Kolibri (PDF, EPUB)
    VIDEO = "video"
    AUDIO = "audio"
    OFFICE = "office"  # converted to PDF by LibreOffice
    SPREADSHEET = "spreadsheet"
    SUBTITLE = "subtitle"
    IMAGE = "image"
    ARCHIVE = "archive"
    OTHER = "other"


#: The kinds a package shows as media of their own (a card in the viewer, a Kolibri node).
PACKAGED_MEDIA = frozenset({MediaKind.DOCUMENT, MediaKind.VIDEO, MediaKind.AUDIO})

#: ``(offset, bytes)`` pairs: a file of the type starts with any one of them.
Magic = tuple[tuple[int, bytes], ...]

_PDF: Magic = ((0, b"%PDF-"),)
_ISO_MEDIA: Magic = ((4, b"ftyp"), (4, b"moov"), (4, b"mdat"), (4, b"wide"), (4, b"free"))
_MATROSKA: Magic = ((0, b"\x1a\x45\xdf\xa3"),)
_ZIP: Magic = ((0, b"PK\x03\x04"),)
_OLE: Magic = ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)
_MP3: Magic = ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2"))


@dataclass(frozen=True, slots=True)
class FileType:
    ext: str
    mime: str
    kind: MediaKind
    #: Already compressed: the zip stores it instead of deflating it again.
    stored: bool
    magic: Magic = ()
    #: The ``<video>``/``<audio>`` type a browser plays it as, where that differs from ``mime``
    #: (QuickTime and M4V files hold the same H.264/AAC streams as MP4).
    play_as: str | None = None

    @property
    def browser_type(self) -> str:
        return self.play_as or self.mime


def _t(
    ext: str, mime: str, kind: MediaKind, stored: bool, magic: Magic = (), **kw: str
) -> FileType:
    return FileType(ext, mime, kind, stored, magic, **kw)


_K = MediaKind
FILE_TYPES: dict[str, FileType] = {
    t.ext: t
    for t in (
        _t("pdf", "application/pdf", _K.DOCUMENT, True, _PDF),
        _t("epub", "application/epub+zip", _K.DOCUMENT, True, _ZIP),
        _t("mp4", "video/mp4", _K.VIDEO, True, _ISO_MEDIA),
        _t("m4v", "video/x-m4v", _K.VIDEO, True, _ISO_MEDIA, play_as="video/mp4"),
        _t("mov", "video/quicktime", _K.VIDEO, True, _ISO_MEDIA, play_as="video/mp4"),
        _t("webm", "video/webm", _K.VIDEO, True, _MATROSKA),
        _t("mkv", "video/x-matroska", _K.VIDEO, True, _MATROSKA),
        _t("avi", "video/x-msvideo", _K.VIDEO, True, ((0, b"RIFF"),)),
        _t("mp3", "audio/mpeg", _K.AUDIO, True, _MP3),
        _t("m4a", "audio/mp4", _K.AUDIO, True, _ISO_MEDIA),
        _t("ogg", "audio/ogg", _K.AUDIO, True, ((0, b"OggS"),)),
        _t(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            _K.OFFICE,
            True,
            _ZIP,
        ),
        _t(
            "ppsx",
            "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
            _K.OFFICE,
            True,
            _ZIP,
        ),
        _t(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _K.OFFICE,
            True,
            _ZIP,
        ),
        _t("ppt", "application/vnd.ms-powerpoint", _K.OFFICE, False, _OLE),
        _t("pps", "application/vnd.ms-powerpoint", _K.OFFICE, False, _OLE),
        _t("doc", "application/msword", _K.OFFICE, False, _OLE),
        _t("odp", "application/vnd.oasis.opendocument.presentation", _K.OFFICE, True, _ZIP),
        _t("odt", "application/vnd.oasis.opendocument.text", _K.OFFICE, True, _ZIP),
        _t("rtf", "application/rtf", _K.OFFICE, False, ((0, b"{\\rtf"),)),
        _t(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _K.SPREADSHEET,
            True,
            _ZIP,
        ),
        _t("xls", "application/vnd.ms-excel", _K.SPREADSHEET, False, _OLE),
        _t("ods", "application/vnd.oasis.opendocument.spreadsheet", _K.SPREADSHEET, True, _ZIP),
        _t("vtt", "text/vtt", _K.SUBTITLE, False, ((0, b"WEBVTT"), (0, b"\xef\xbb\xbfWEBVTT"))),
        _t("srt", "application/x-subrip", _K.SUBTITLE, False),
        _t("png", "image/png", _K.IMAGE, True, ((0, b"\x89PNG\r\n\x1a\n"),)),
        _t("jpg", "image/jpeg", _K.IMAGE, True, ((0, b"\xff\xd8\xff"),)),
        _t("jpeg", "image/jpeg", _K.IMAGE, True, ((0, b"\xff\xd8\xff"),)),
        _t("gif", "image/gif", _K.IMAGE, True, ((0, b"GIF8"),)),
        _t("zip", "application/zip", _K.ARCHIVE, True, _ZIP),
        _t("h5p", "application/zip", _K.ARCHIVE, True, _ZIP),
        _t("gz", "application/gzip", _K.ARCHIVE, True, ((0, b"\x1f\x8b"),)),
        _t("woff", "font/woff", _K.OTHER, True),
        _t("woff2", "font/woff2", _K.OTHER, True),
    )
}

#: For a Content-Type with no usable file name: the extension each MIME type is saved under
#: (the first extension in the table that claims it).
_EXT_BY_MIME: dict[str, str] = {}
for _type in FILE_TYPES.values():
    _EXT_BY_MIME.setdefault(_type.mime, _type.ext)
_EXT_BY_MIME["video/mp4"] = "mp4"


def file_type(ext: str) -> FileType | None:
    return FILE_TYPES.get(ext.lower())


def kind_of(ext: str) -> MediaKind:
    found = file_type(ext)
    return found.kind if found else MediaKind.OTHER


def media_of(ext: str) -> MediaKind:
    """The kind the package shows the file as: document, video, audio, else other."""
    kind = kind_of(ext)
    return kind if kind in PACKAGED_MEDIA else MediaKind.OTHER


def exts_of(*kinds: MediaKind) -> frozenset[str]:
    return frozenset(t.ext for t in FILE_TYPES.values() if t.kind in kinds)


def ext_for_mime(mime: str) -> str | None:
    return _EXT_BY_MIME.get(mime.split(";")[0].strip().lower())


def mime_of(ext: str) -> str | None:
    found = file_type(ext)
    return found.mime if found else None


def is_stored(ext: str) -> bool:
    """True when the zip should store the file as it is (it is compressed already)."""
    found = file_type(ext)
    return bool(found and found.stored)


def is_iso_media(ext: str) -> bool:
    """MP4-family files (MP4, M4V, MOV, M4A), whose duration sits in the ``moov`` header."""
    found = file_type(ext)
    return bool(found and found.magic == _ISO_MEDIA)


def looks_like(ext: str, head: bytes) -> bool | None:
    """Whether ``head`` (the file's first bytes) fits the type; None when the table has no
    signature for it (text formats, unknown extensions)."""
    found = file_type(ext)
    if found is None or not found.magic:
        return None
    return any(head[offset : offset + len(sig)] == sig for offset, sig in found.magic)
