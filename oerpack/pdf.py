"""Read what the viewer needs from PDFs (page count, text for search) and make converted
PDFs reproducible; the only pypdf user."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from . import atomic
from .models import PdfInfo

if TYPE_CHECKING:
    from pypdf import PdfWriter

# pypdf is imported where a PDF is read: a rebuild that reads no PDF starts without it.

log = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")
_OTHER_READ_ERRORS = (OSError, ValueError, KeyError, TypeError)
#: Info entries that record when a file was made rather than what it holds.
_INFO_DATES = ("/CreationDate", "/ModDate")
#: XMP date properties, as elements or as attributes of rdf:Description.
_XMP_DATES = re.compile(
    rb"\s*<(xmp|xap):(CreateDate|ModifyDate|MetadataDate)\b[^>]*?(/>|>.*?</\1:\2>)"
    rb"|\s+(?:xmp|xap):(?:CreateDate|ModifyDate|MetadataDate)\s*=\s*(\"[^\"]*\"|'[^']*')",
    re.DOTALL,
)
_XMP_UUID = re.compile(rb"uuid:[0-9a-fA-F-]{36}")


def read_pdf(path: Path, *, max_chars: int = 100_000) -> PdfInfo | None:
    """Page count and whitespace-folded text of the PDF at ``path``; None if unreadable."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        parts: list[str] = []
        length = 0
        for page in reader.pages:
            if length >= max_chars:
                break
            text = _SPACE.sub(" ", page.extract_text() or "").strip()
            parts.append(text)
            length += len(text) + 1
        return PdfInfo(
            pages=len(reader.pages), text=" ".join(parts)[:max_chars], page_texts=tuple(parts)
        )
    except (PdfReadError, *_OTHER_READ_ERRORS) as exc:
        log.warning("%s: cannot read PDF text: %s", path, exc)
        return None


def normalize_pdf(src: Path, dest: Path, *, identity: str) -> None:
    """Write ``src`` to ``dest`` so the bytes depend on its content and ``identity`` only.

    Converters stamp each PDF with the time of conversion and a random file identifier;
    here the creation and modification dates go (from the Info dictionary and the XMP
    metadata), XMP ``uuid:`` identifiers and the trailer's /ID are derived from
    ``identity`` (say, the source's checksum and the conversion recipe) and the objects
    are written afresh in a fixed order. Pages, text and fonts are kept as they are.
    Raises ValueError if ``src`` is not a readable PDF.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError, PyPdfError
    from pypdf.generic import ArrayObject, ByteStringObject

    try:
        reader = PdfReader(src)
        writer = PdfWriter(clone_from=reader)
        writer.pdf_header = reader.pdf_header  # pypdf would write its own %PDF-1.3
        if writer.metadata is not None:
            writer.metadata = {k: v for k, v in writer.metadata.items() if k not in _INFO_DATES}
        _normalize_xmp(writer, identity)
        file_id = ByteStringObject(hashlib.md5(identity.encode("utf-8")).digest())
        # pypdf has no public setter for the trailer /ID; its writer keeps it in _ID.
        writer._ID = ArrayObject([file_id, file_id])
        with atomic.replacing(dest, durable=False) as part, part.open("wb") as out:
            writer.write(out)
    except (PdfReadError, PyPdfError, *_OTHER_READ_ERRORS) as exc:
        raise ValueError(f"{src}: cannot normalise the PDF: {exc}") from exc


def _normalize_xmp(writer: PdfWriter, identity: str) -> None:
    from pypdf.errors import PdfReadError
    from pypdf.generic import StreamObject

    stream = writer.root_object.get("/Metadata")
    stream = stream.get_object() if stream is not None else None
    if not isinstance(stream, StreamObject):
        return
    xmp = _XMP_DATES.sub(b"", stream.get_data())
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"oerpack:{identity}")
    xmp = _XMP_UUID.sub(f"uuid:{stable}".encode("ascii"), xmp)
    try:
        stream.set_data(xmp)
    except PdfReadError:  # pypdf re-encodes Flate only; the metadata is not worth failing for
        del writer.root_object["/Metadata"]
