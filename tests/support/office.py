"""Generate office documents (PPTX, DOCX) at test time with python-pptx / python-docx."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
from pptx import Presentation
from pptx.util import Inches


def make_pptx(path: Path, slides: Sequence[tuple[str, str]]) -> Path:
    """A presentation with one title-and-content slide per ``(title, body)``."""
    deck = Presentation()
    layout = deck.slide_layouts[1]
    for title, body in slides:
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.slide_width = Inches(10)
    path.parent.mkdir(parents=True, exist_ok=True)
    deck.save(str(path))
    return path


def make_docx(path: Path, paragraphs: Sequence[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
