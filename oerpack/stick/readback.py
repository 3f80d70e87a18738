"""Read a file back from the medium, not from the page cache: O_DIRECT where the file system
allows it, else the file's cached pages are dropped first (posix_fadvise DONTNEED)."""

from __future__ import annotations

import hashlib
import mmap
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

CHUNK = 1024 * 1024
Method = Literal["O_DIRECT", "fadvise"]


def _direct(path: Path, digest: hashlib._Hash, on_bytes: Callable[[int], None] | None) -> bool:
    """Hash through O_DIRECT; False (nothing hashed) when the file system refuses it."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | flag)
    except OSError:
        return False
    buffer = mmap.mmap(-1, CHUNK)  # page-aligned, as O_DIRECT wants
    try:
        first = True
        while True:
            try:
                count = os.readv(fd, [buffer])
            except OSError:
                if first:
                    return False
                raise
            first = False
            if not count:
                return True
            digest.update(memoryview(buffer)[:count])
            if on_bytes:
                on_bytes(count)
    finally:
        buffer.close()
        os.close(fd)


def _uncached(path: Path, digest: hashlib._Hash, on_bytes: Callable[[int], None] | None) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            if on_bytes:
                on_bytes(len(chunk))
    finally:
        os.close(fd)


def read_back(
    path: Path, *, direct: bool = True, on_bytes: Callable[[int], None] | None = None
) -> tuple[str, Method]:
    """sha256 of the file as the medium holds it, and how the cache was avoided."""
    digest = hashlib.sha256()
    if direct and _direct(path, digest, on_bytes):
        return digest.hexdigest(), "O_DIRECT"
    digest = hashlib.sha256()
    _uncached(path, digest, on_bytes)
    return digest.hexdigest(), "fadvise"
