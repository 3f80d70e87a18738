"""Pure naming: stable ids, storage paths, FAT32-safe names, extensions."""

from __future__ import annotations

import pytest

from oerpack import fatnames, ids, layout


def test_ids_are_stable_hex_and_distinct() -> None:
    assert ids.channel_id("vcasie-2020") == ids.channel_id("vcasie-2020")
    assert len(ids.channel_id("vcasie-2020")) == 32
    assert ids.channel_id("a") != ids.channel_id("b")
    content = ids.content_id("ev", "item.en")
    root = ids.channel_id("ev")
    assert ids.node_id(root, content) == ids.node_id(root, content)
    assert ids.node_id(root, content) != ids.node_id(ids.channel_id("other"), content)


def test_storage_path_is_kolibri_layout() -> None:
    md5 = "0dc35f6e76b03a3ee915b1da72f65528"
    assert layout.storage_path(md5, "pdf") == (
        "KOLIBRI_DATA/content/storage/0/d/0dc35f6e76b03a3ee915b1da72f65528.pdf"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", "file"),
        ("a/b\\c", "a_b_c"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("name. ", "name"),
        ("...", "file"),
        ("", "file"),
        ('what?<>:"|*', "what_"),
        ("Доклад.pdf", "Доклад.pdf"),
    ],
)
def test_safe_component(name: str, expected: str) -> None:
    assert fatnames.safe_component(name) == expected


def test_safe_component_truncates_on_character_boundary() -> None:
    result = fatnames.safe_component("Ж" * 200, max_len=11)
    assert result == "Ж" * 5


@pytest.mark.parametrize(
    ("url", "path", "ctype", "expected"),
    [
        ("https://x.org/a/Report.PDF", None, None, "pdf"),
        ("https://x.org/download?id=3", None, "application/pdf", "pdf"),
        ("https://x.org/v", None, "video/mp4; charset=binary", "mp4"),
        (None, "slides.pptx", None, "pptx"),
        ("https://x.org/f%C3%A9.mp4", None, None, "mp4"),
        ("https://x.org/noext", None, None, "bin"),
    ],
)
def test_extension_for(url: str | None, path: str | None, ctype: str | None, expected: str) -> None:
    assert ids.extension_for(url=url, path=path, content_type=ctype) == expected
