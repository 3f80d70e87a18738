"""Write whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oerpack import atomic


def test_replacing_puts_the_whole_file_in_place(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "a.txt"
    with atomic.replacing(dest) as tmp:
        tmp.write_text("new", encoding="utf-8")
        assert not dest.exists()
        assert tmp.parent == dest.parent
    assert dest.read_text(encoding="utf-8") == "new"
    assert os.listdir(dest.parent) == ["a.txt"]


def test_an_error_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "a.txt"
    dest.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.replacing(dest) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stick pulled")
    assert dest.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_temporary_names_carry_the_writer_pid(tmp_path: Path) -> None:
    tmp = atomic.temp_path(tmp_path / "x.zip")
    assert atomic.writer_pid(tmp.name) == os.getpid()
    assert atomic.writer_pid("x.zip") is None
    assert atomic.writer_pid(".x.zip.part") is None


def test_write_text_newline(tmp_path: Path) -> None:
    atomic.write_text(tmp_path / "s", "a\nb\n", newline="\r\n")
    assert (tmp_path / "s").read_bytes() == b"a\r\nb\r\n"
