"""oerpack.pdf: page counts and searchable text from generated PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

from oerpack.pdf import read_pdf
from tests.support.media import make_pdf


def test_reads_pages_and_cyrillic_text(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "ru.pdf",
        ["Первая страница.\nДистанционное обучение.", "Вторая   страница\n\nс пробелами."],
        title="Заголовок",
    )
    info = read_pdf(pdf)
    assert info is not None
    assert info.pages == 2
    assert "Дистанционное обучение" in info.text
    assert "Заголовок" in info.text
    assert "  " not in info.text and "\n" not in info.text  # whitespace folded for search


def test_text_is_capped(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "long.pdf", ["word " * 400] * 3)
    info = read_pdf(pdf, max_chars=500)
    assert info is not None and info.pages == 3
    assert len(info.text) == 500


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.7\n%broken"])
def test_unreadable_file_gives_none_and_a_warning(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    assert read_pdf(path) is None
    assert "cannot read PDF text" in caplog.text


def test_missing_file_gives_none(tmp_path: Path) -> None:
    assert read_pdf(tmp_path / "absent.pdf") is None
