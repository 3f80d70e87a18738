"""Read and write ``<manifest>.lock.json``: what was fetched, pinned by checksum."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import atomic
from .credentials import mask_credentials
from .errors import ManifestError
from .models import Lock, LockEntry

LOCK_FORMAT = 1
_ENTRY_FIELDS = {f.name for f in fields(LockEntry)}


def lock_path(manifest_path: Path) -> Path:
    """``manifests/x.yaml`` → ``manifests/x.yaml.lock.json``."""
    return manifest_path.with_name(manifest_path.name + ".lock.json")


def read_lock(path: Path) -> Lock:
    """The lock at ``path``, or an empty lock when there is none yet."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lock()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ManifestError(
            f"cannot read the lock file: {reason}",
            file=str(path),
            hint="make it a readable file, or delete it; the next fetch writes a new one",
        ) from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ManifestError(
            "lock file is nested too deeply to be an oerpack lock file",
            file=str(path),
            hint="delete it; the next fetch writes a new one",
        ) from None
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"lock file is not valid JSON: {exc.msg}",
            file=str(path),
            line=exc.lineno,
            hint="delete it; the next fetch writes a new one",
        ) from None
    if not _is_lock_data(data):
        raise ManifestError(
            "not an oerpack lock file of format 1",
            file=str(path),
            hint="delete it; the next fetch writes a new one",
        )
    entries: list[tuple[str, LockEntry]] = []
    for key, value in sorted(data.get("sources", {}).items()):
        if not isinstance(value, dict) or not set(value) <= _ENTRY_FIELDS:
            raise ManifestError(
                f"bad entry for source {key!r}",
                file=str(path),
                hint="delete the entry; the next fetch writes it again",
            )
        for name, field_value in value.items():
            if problem := _field_problem(name, field_value):
                raise ManifestError(
                    f"sources.{key}.{name}: {problem}",
                    file=str(path),
                    hint="correct or delete that entry; the next fetch writes it again",
                )
        entries.append((key, LockEntry(**value)))
    channel = data.get("channel", {})
    content_hash = channel.get("content_hash")
    if content_hash is not None and not isinstance(content_hash, str):
        raise ManifestError(
            f"channel.content_hash: {_short(content_hash)} is not text",
            file=str(path),
            hint="delete it; the next build writes it again",
        )
    return Lock(
        sources=tuple(entries),
        channel_version=int(channel.get("version", 0)),
        content_hash=content_hash,
        versions=tuple(sorted(channel.get("versions", {}).items())),
    )


_HEX = {"sha256": 64, "md5": 32}


def _field_problem(name: str, value: object) -> str | None:
    """Why a hand-edited lock entry's field cannot be used, or None."""
    if value is None:
        return None
    if name == "size":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"{_short(value)} is not a size in bytes"
    if not isinstance(value, str):
        return f"{_short(value)} is not text"
    if name in _HEX and not re.fullmatch(f"[0-9a-f]{{{_HEX[name]}}}", value):
        return f"{_short(value)} is not {_HEX[name]} lowercase hex digits"
    if name in ("url", "final_url") and _scheme(value) not in ("http", "https"):
        return f"{_short(value)}: only http and https URLs are allowed"
    return None


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_lock_data(data: Any) -> bool:
    """The lock's outer shape: entries and the channel are checked before they are read."""
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        return False
    channel = data.get("channel", {})
    versions = channel.get("versions", {}) if isinstance(channel, dict) else None
    return (
        isinstance(data.get("sources", {}), dict)
        and isinstance(channel, dict)
        and isinstance(channel.get("version", 0), int)
        and isinstance(versions, dict)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in versions.values())
    )


def lock_to_json(lock: Lock, *, manifest_id: str) -> str:
    """Sorted, stable JSON text for ``lock``."""
    sources: dict[str, Any] = {
        key: {k: _public(k, v) for k, v in asdict(entry).items() if v is not None}
        for key, entry in lock.sources
    }
    channel: dict[str, Any] = {"version": lock.channel_version, "content_hash": lock.content_hash}
    if lock.versions:
        channel["versions"] = dict(lock.versions)
    data: dict[str, Any] = {
        "format": LOCK_FORMAT,
        "manifest": manifest_id,
        "channel": channel,
        "sources": sources,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _public(name: str, value: object) -> object:
    """A lock field as it may be committed: the final URL (where a --mirror led) without
    its user:password. ``url`` is the manifest's own address and stays as written, so that
    the lock's pins keep applying to it."""
    if name == "final_url" and isinstance(value, str):
        return mask_credentials(value)
    return value


def write_lock(path: Path, lock: Lock, *, manifest_id: str) -> None:
    """Write atomically: a reader never sees half a lock file."""
    text = lock_to_json(lock, manifest_id=manifest_id)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    atomic.write_text(path, text)
