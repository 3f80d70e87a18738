"""Check that what a server sent is what the source must be, before it enters the cache.

A captive portal, a login page or a "moved to the home page" answer comes back as
``200 text/html`` for a ``.pdf`` address, and a server may compress the transfer although
oerpack asked for the file as it is; neither may ever be stored as the file. The file types
and their magic bytes come from the one table, ``oerpack.filetypes``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import DownloadError
from ..filetypes import MediaKind, ext_for_mime, file_type, looks_like
from ..models import FetchTask

#: How much of a file's start is read to recognise it.
HEAD_BYTES = 4096
_HTML = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|script)\b", re.I | re.S
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def expected_ext(task: FetchTask, *, final_url: str | None, content_type: str | None) -> str | None:
    """The extension the file must have: that of the address the bytes came from (as the
    package will name the file), else of the manifest's address (a captive portal redirects
    a .pdf to its login page, whose .html or .php is no file type), else the Content-Type's;
    None when none of them names a type the table knows."""
    for url in (final_url, task.source_url or task.url):
        ext = _url_ext(url) if url else ""
        if file_type(ext) is not None:
            return ext
    found = ext_for_mime(content_type) if content_type else None
    return found if found and file_type(found) is not None else None


def _url_ext(url: str) -> str:
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return ""
    return PurePosixPath(path).suffix.lower().lstrip(".")


def looks_like_html(head: bytes) -> bool:
    """Whether ``head`` is the start of a web page."""
    for bom in _BOMS:
        head = head.removeprefix(bom)
    return _HTML.match(head[:1024]) is not None


def check_encoding(task: FetchTask, content_encoding: str | None, *, ext: str | None) -> None:
    """Refuse a compressed transfer: its bytes are not the file's bytes. (A ``.gz`` file
    that a server labels ``Content-Encoding: gzip`` is the file itself: the bytes decide.)"""
    encoding = (content_encoding or "").strip().lower()
    if ext == "gz" and encoding in ("gzip", "x-gzip"):
        return
    if encoding and encoding not in ("identity", "none"):
        raise DownloadError(
            f"the server sent the file compressed (Content-Encoding: {encoding}) although "
            "oerpack asked for it as it is; nothing was stored",
            key=task.label,
            url=task.url,
            hint="the server ignores 'Accept-Encoding: identity': ask its administrator, or "
            "fetch the file from a mirror (--mirror) that serves it unchanged",
        )


def check_head(task: FetchTask, ext: str | None, head: bytes, content_type: str | None) -> None:
    """Refuse bytes that cannot be a file of type ``ext``: a web page where a file is
    expected, or (for types with a signature) a file that does not start like one."""
    if ext is None or ext in ("html", "htm"):
        return
    fits = looks_like(ext, head)
    html = looks_like_html(head)
    if fits is True or (fits is None and not html and _plausible(ext, head)):
        return
    sent = content_type.split(";")[0].strip() if content_type else "no Content-Type"
    what = (
        f"a web page ({sent})"
        if html
        else f"bytes that do not start like a {ext.upper()} file ({head[:12]!r}, {sent})"
    )
    raise DownloadError(
        f"the server sent {what} instead of a {ext.upper()} file; nothing was stored",
        key=task.label,
        url=task.url,
        hint="open the address in a browser: a login page, a captive portal or a 'moved' "
        "notice answers like this; put the file's real address in the manifest",
    )


def _plausible(ext: str, head: bytes) -> bool:
    """For a type without a signature: subtitles are text, so NUL bytes mean something
    else arrived."""
    found = file_type(ext)
    return found is None or found.kind != MediaKind.SUBTITLE or b"\x00" not in head


def read_head(part: Path) -> bytes:
    with part.open("rb") as handle:
        return handle.read(HEAD_BYTES)
