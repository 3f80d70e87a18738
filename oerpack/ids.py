"""Pure naming: stable ids and file extensions (safe names come from ``fatnames``)."""

from __future__ import annotations

import mimetypes
import re
import uuid
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .filetypes import ext_for_mime

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "oerpack:")

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
