"""Render PDF pages to images with pypdfium2 (its only user; Pillow encodes the images)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from .video import MediaToolError

if TYPE_CHECKING:  # imported where a page is rendered: a rebuild renders none
    import pypdfium2 as pdfium

log = logging.getLogger(__name__)
#: Wide enough to read slides and A4 text on a phone, small enough to keep packages light.
PAGE_WIDTH = 900
JPEG_QUALITY = 70


def render_pages(
    pdf: Path, out_dir: Path, *, width: int = PAGE_WIDTH, max_pages: int | None = None
) -> list[Path]:
    """Write ``p0001.jpg``, ``p0002.jpg``, … for the PDF's pages into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = _open(pdf)
    written = []
    try:
        count = len(document) if max_pages is None else min(len(document), max_pages)
        for index in range(count):
            target = out_dir / f"p{index + 1:04d}.jpg"
            _render(document, index, target, width=width)
            written.append(target)
    finally:
        document.close()
    return written


def render_first_page(pdf: Path, dest: Path, *, width: int = 480) -> None:
    """The first page as an image at ``dest`` (PNG or JPEG by suffix): a thumbnail."""
    document = _open(pdf)
    try:
        _render(document, 0, dest, width=width)
    finally:
        document.close()


def _open(pdf: Path) -> pdfium.PdfDocument:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise MediaToolError(f"{pdf}: cannot open the PDF to render pages: {exc}") from exc


def _render(document: pdfium.PdfDocument, index: int, target: Path, *, width: int) -> None:
    page = document[index]
    try:
        page_width, _ = page.get_size()
        bitmap = page.render(scale=width / page_width if page_width else 1.0)
        image = bitmap.to_pil().convert("RGB")
        if target.suffix.lower() == ".png":
            image.save(target, format="PNG", optimize=True)
        else:
            image.save(target, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    finally:
        page.close()
