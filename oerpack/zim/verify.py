"""Check a ZIM file: libzim's own checksum, then every entry against the SHA256SUMS that
the build recorded inside it (the media's digests are the lock's sha256)."""

from __future__ import annotations

from pathlib import Path

from ..errors import DamagedPackageError
from ..layout import SUMS_NAME
from ..package.checksums import parse_sums
from ..package.verify import VerifyReport

#: The first four bytes of every ZIM file (0x044D495A, little-endian).
ZIM_MAGIC = b"ZIM\x04"


def is_zim(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == ZIM_MAGIC
    except OSError:
        return False


def verify_zim(path: Path) -> VerifyReport:
    """Missing, corrupt and unexpected entries; DamagedPackageError when the file itself
    fails libzim's MD5 check or carries no SHA256SUMS."""
    from .zimfile import read_entries, read_entry, read_facts  # libzim only for ZIMs

    facts = read_facts(path)
    if not facts.checksum_ok:
        raise DamagedPackageError(
            f"{path}: the ZIM's own checksum does not match its bytes",
            hint="copy the ZIM again from a good copy",
        )
    text = read_entry(path, SUMS_NAME)
    if text is None:
        raise DamagedPackageError(
            f"{path}: no {SUMS_NAME} entry", hint="this ZIM was not written by oerpack"
        )
    try:
        expected = parse_sums(text.decode("utf-8"), source=f"{path}:{SUMS_NAME}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise DamagedPackageError(str(exc), hint="the checksum list itself is damaged") from None
    seen: set[str] = set()
    corrupt, unexpected = [], []
    for name, digest in read_entries(path):
        if name == SUMS_NAME:
            continue
        if name not in expected:
            unexpected.append(name)
            continue
        seen.add(name)
        if digest != expected[name]:
            corrupt.append(name)
    return VerifyReport(
        checked=len(seen),
        missing=tuple(sorted(set(expected) - seen)),
        corrupt=tuple(sorted(corrupt)),
        unexpected=tuple(sorted(unexpected)),
        root=str(path),
    )
