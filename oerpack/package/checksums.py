"""SHA256SUMS: write it for a package and check a package (folder or zip) against it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import atomic
from ..layout import SUMS_NAME


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def format_sums(sums: Mapping[str, str]) -> str:
    """``sha256sum`` text format, sorted by name: ``<hex>  <name>`` per line."""
    return "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))


def parse_sums(text: str, *, source: str) -> dict[str, str]:
    """The inverse of ``format_sums``; raises ValueError naming the bad line."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise ValueError(f"{source}:{number}: not a sha256sum line")
        sums[name.lstrip("*")] = digest.lower()
    return sums


def write_sums(folder: Path, names: Iterable[str], known: Mapping[str, str]) -> Path:
    """Write SHA256SUMS for ``names`` (relative posix paths); digests in ``known`` are
    trusted (they were verified when copied), the rest are computed."""
    sums = {name: known.get(name) or sha256_file(folder / name) for name in names}
    target = folder / SUMS_NAME
    atomic.write_text(target, format_sums(sums), newline="\n")
    return target
