"""Pure naming: stable ids, Kolibri storage paths, safe file names and extensions."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import uuid
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .filetypes import ext_for_mime

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "oerpack:")

_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')
_EXT = re.compile(r"^[0-9a-z]{1,8}$")


def stable_uuid(*parts: str) -> uuid.UUID:
    """A uuid5 that depends only on ``parts``: the same manifest gives the same ids."""
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def channel_id(event_id: str) -> str:
    return stable_uuid("channel", event_id).hex


def content_id(event_id: str, source_key: str) -> str:
    return stable_uuid("content", event_id, source_key).hex


def node_id(parent_node_id: str, content: str) -> str:
    """Ricecooker's convention: a node's id derives from its parent's id and its content id."""
    return uuid.uuid5(uuid.UUID(parent_node_id), content).hex


def safe_component(name: str, *, max_len: int = 120, fallback: str = "file") -> str:
    """One path component that is valid on FAT32, NTFS, ext4 and in a zip: no separators,
    no ``..``, no reserved device names, no trailing dots or spaces."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text or set(text) <= {"."}:
        text = fallback
    stem = text.split(".")[0].lower()
    if stem in _WINDOWS_RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")[:max_len]
    return encoded.decode("utf-8", errors="ignore").rstrip(" .") or fallback


def extension_for(*, url: str | None, path: str | None, content_type: str | None) -> str:
    """A lowercase file extension from the source's name, else its Content-Type, else ``bin``."""
    name = path or (unquote(urlsplit(url).path) if url else "")
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    if _EXT.match(suffix):
        return suffix
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        known = ext_for_mime(mime)
        if known:
            return known
        guessed = mimetypes.guess_extension(mime)
        if guessed and _EXT.match(guessed.lstrip(".")):
            return guessed.lstrip(".")
    return "bin"
