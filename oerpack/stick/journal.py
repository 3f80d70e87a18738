"""The list of files already read back good during an unfinished write, kept on the stick
beside its marker, so a resumed write neither copies nor reads them again."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..layout import STICK_JOURNAL, STICK_MARKER
from ..package.checksums import parse_sums


def read_journal(root: Path) -> dict[str, str]:
    """What an interrupted write verified (sha256 by name); nothing unless the stick is
    marked incomplete (a finished write removes both). A torn last line is ignored."""
    if not (root / STICK_MARKER).exists():
        return {}
    try:
        lines = (root / STICK_JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    verified: dict[str, str] = {}
    for line in lines:
        with contextlib.suppress(ValueError):
            verified.update(parse_sums(line, source=STICK_JOURNAL))
    return verified


class Journal:
    """Appends one ``sha256  name`` line per verified file, synced before the next file.

    FAT through FUSE refuses to write into a file that existed before it was opened, so a
    resumed write starts a new journal holding the old one's lines (lost only if the stick
    goes between the two steps: the files are then read back again)."""

    def __init__(self, root: Path, *, carried: dict[str, str]) -> None:
        self.path = root / STICK_JOURNAL
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        if carried:
            self._write("".join(f"{sha}  {name}\n" for name, sha in sorted(carried.items())))

    def _write(self, text: str) -> None:
        view = memoryview(text.encode())
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)

    def record(self, name: str, sha256: str) -> None:
        self._write(f"{sha256}  {name}\n")

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
