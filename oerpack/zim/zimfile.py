"""Write and read ZIM files with libzim (its only user).

python-libzim is pinned below 3.7 (see setup.cfg): from 3.7.0 (libzim 9.3) ZIMs carry a
title-index layout that the libzim 8.1 inside Debian 12's zimcheck and kiwix-serve rejects
("Full Title index table outside ... ZIM file"); 3.2-3.6 write ZIMs both old and new Kiwix
read. The ZIM is written under a temporary name and renamed when libzim has finished it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from libzim.reader import Archive  # type: ignore[import-untyped]
from libzim.writer import (  # type: ignore[import-untyped]
    Creator,
    FileProvider,
    Hint,
    IndexData,
    Item,
    StringProvider,
)

from ..atomic import replacing
from ..errors import DamagedPackageError
from .entries import ZimEntry

_CHUNK = 1024 * 1024


class _Index(IndexData):  # type: ignore[misc]
    def __init__(self, title: str, text: str) -> None:
        self.title, self.text = title, text

    def has_indexdata(self) -> bool:
        return True

    def get_title(self) -> str:
        return self.title

    def get_content(self) -> str:
        return self.text

    def get_keywords(self) -> str:
        return ""

    def get_wordcount(self) -> int:
        return len(self.text.split())

    def get_geoposition(self) -> tuple[float, float] | None:
        return None


class _NoIndex(IndexData):  # type: ignore[misc]
    """Keeps libzim's HTML indexer off a page (the reader pages repeat the titles)."""

    def has_indexdata(self) -> bool:
        return False


class _Item(Item):  # type: ignore[misc]
    def __init__(self, entry: ZimEntry) -> None:
        super().__init__()
        self.entry = entry
        index = entry.index
        self.get_indexdata = (
            (lambda: _Index(index.title, index.text)) if index is not None else _NoIndex
        )

    def get_path(self) -> str:
        return self.entry.path

    def get_title(self) -> str:
        return self.entry.title

    def get_mimetype(self) -> str:
        return self.entry.mime

    def get_contentprovider(self) -> FileProvider | StringProvider:
        if self.entry.file is not None:
            return FileProvider(str(self.entry.file))
        assert self.entry.data is not None
        return StringProvider(self.entry.data)

    def get_hints(self) -> dict[Hint, int]:
        return {Hint.FRONT_ARTICLE: self.entry.front, Hint.COMPRESS: self.entry.compress}


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """libzim's C++ prints progress words ("Resolve redirect", "set index") straight to
    file descriptor 1 while it finishes a ZIM; the command's own output is on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def write_zim(
    target: Path,
    entries: Sequence[ZimEntry],
    metadata: Sequence[tuple[str, str]],
    *,
    illustration: bytes,
    main_path: str,
    index_language: str,
) -> Path:
    """Write ``target`` whole or not at all (a temporary name, then a rename)."""
    # Exits run inner first: libzim finishes the file, then it is flushed and renamed.
    with (
        replacing(target) as tmp,
        _stdout_silenced(),
        Creator(tmp).config_indexing(True, index_language) as creator,
    ):
        creator.set_mainpath(main_path)
        creator.add_illustration(48, illustration)
        for name, value in metadata:
            creator.add_metadata(name, value)
        for entry in entries:
            if entry.redirect is not None:
                creator.add_redirection(entry.path, entry.title, entry.redirect, {})
            else:
                creator.add_item(_Item(entry))
    return target


@dataclass(frozen=True, slots=True)
class ZimFacts:
    """What a ZIM says about itself."""

    checksum_ok: bool
    metadata: dict[str, str]
    main_path: str | None
    has_fulltext_index: bool
    has_title_index: bool
    entries: int


def _open(path: Path) -> Archive:
    try:
        return Archive(path)
    except RuntimeError as exc:
        raise DamagedPackageError(
            f"{path}: not a ZIM file, or a damaged one: {exc}",
            hint="copy the ZIM again from a good copy",
        ) from None


def read_facts(path: Path) -> ZimFacts:
    """libzim's own MD5 check of the whole file, its metadata and indexes."""
    archive = _open(path)
    metadata = {}
    for key in archive.metadata_keys:
        if not key.startswith("Illustration_"):
            metadata[key] = bytes(archive.get_metadata(key)).decode("utf-8", "replace")
    return ZimFacts(
        checksum_ok=bool(archive.has_checksum and archive.check()),
        metadata=metadata,
        main_path=archive.main_entry.get_item().path if archive.has_main_entry else None,
        has_fulltext_index=bool(archive.has_fulltext_index),
        has_title_index=bool(archive.has_title_index),
        entries=int(archive.entry_count),
    )


def read_entries(path: Path) -> Iterator[tuple[str, str]]:
    """Each content entry's path and the sha256 of its bytes (redirects skipped). libzim
    maps stored clusters, so a large video is hashed from the page cache in slices."""
    archive = _open(path)
    for entry_id in range(archive.entry_count):
        entry = archive._get_entry_by_id(entry_id)
        if entry.is_redirect:
            continue
        content = entry.get_item().content
        digest = hashlib.sha256()
        for start in range(0, len(content), _CHUNK):
            digest.update(content[start : start + _CHUNK])
        yield entry.path, digest.hexdigest()


def read_entry(path: Path, entry_path: str) -> bytes | None:
    archive = _open(path)
    if not archive.has_entry_by_path(entry_path):
        return None
    return bytes(archive.get_entry_by_path(entry_path).get_item().content)
