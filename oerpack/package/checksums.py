"""SHA256SUMS: write it for a package and check a package (folder or zip) against it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import atomic
from ..layout import SUMS_NAME

#: ``<hex>  <name>`` (text mode) or ``<hex> *<name>`` (binary mode); a leading backslash
#: says the name has ``\\`` and ``\n`` escapes.
_SUMS_LINE = re.compile(r"^(\\?)([0-9a-fA-F]{64}) [ *](.+)$")


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def format_sums(sums: Mapping[str, str]) -> str:
    """``sha256sum`` text format, sorted by name: ``<hex>  <name>`` per line."""
    return "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))


def parse_sums(text: str, *, source: str) -> dict[str, str]:
    """The inverse of ``format_sums``, also reading what ``sha256sum`` writes in binary
    mode (``<hex> *<name>``) and its escaped lines (``\\<hex>  a\\nb``); raises
    ValueError naming the bad line."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUMS_LINE.match(line)
        if match is None:
            raise ValueError(f"{source}:{number}: not a sha256sum line")
        escaped, digest, name = match.groups()
        if escaped:
            name = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], name)
        sums[name] = digest.lower()
    return sums


def write_sums(folder: Path, names: Iterable[str], known: Mapping[str, str]) -> Path:
    """Write SHA256SUMS for ``names`` (relative posix paths); digests in ``known`` are
    trusted (they were verified when copied), the rest are computed."""
    sums = {name: known.get(name) or sha256_file(folder / name) for name in names}
    target = folder / SUMS_NAME
    atomic.write_text(target, format_sums(sums), newline="\n")
    return target
