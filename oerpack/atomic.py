"""Write whole or not at all: a file appears at its final path only complete.

Every writer of a final path goes through :func:`replacing`: the bytes go to a temporary name
in the same folder (so the rename cannot cross file systems), are flushed to the device, and
then ``os.replace`` puts them in place in one step. On any error the temporary file is removed.
The temporary names share one pattern (:data:`TEMP_SUFFIX`, with the writer's process id), so
leftovers of killed processes can be recognised and cleaned.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_path(dest: Path) -> Path:
    """The temporary name this process and thread write ``dest`` under."""
    return dest.with_name(f".{dest.name}.{os.getpid()}-{threading.get_ident()}{TEMP_SUFFIX}")


def writer_pid(name: str) -> int | None:
    """The process id in a temporary name made by :func:`temp_path`, else None."""
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return None
    owner = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1].split("-", 1)[0]
    return int(owner) if owner.isdigit() else None


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(dest: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``dest``.

    ``durable`` flushes the file to the device before the rename, so a power cut leaves
    either the old file or the whole new one. Caches of reproducible data may skip it.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(dest)
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        if durable:
            fsync_file(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(dest: Path, text: str, *, durable: bool = True, newline: str | None = None) -> None:
    with replacing(dest, durable=durable) as tmp:
        tmp.write_text(text, encoding="utf-8", newline=newline)


def write_bytes(dest: Path, data: bytes, *, durable: bool = True) -> None:
    with replacing(dest, durable=durable) as tmp:
        tmp.write_bytes(data)
