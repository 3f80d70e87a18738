"""Read what the viewer needs from PDFs (page count, text for search); the only pypdf user."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

log = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PdfInfo:
    pages: int
    text: str


def read_pdf(path: Path, *, max_chars: int = 100_000) -> PdfInfo | None:
    """Page count and whitespace-folded text of the PDF at ``path``; None if unreadable."""
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
        return PdfInfo(pages=len(reader.pages), text=" ".join(parts)[:max_chars])
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: cannot read PDF text: %s", path, exc)
        return None
