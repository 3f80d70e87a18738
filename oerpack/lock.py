"""Read and write ``<manifest>.lock.json``: what was fetched, pinned by checksum."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from . import atomic
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
        entries.append((key, LockEntry(**value)))
    channel = data.get("channel", {})
    return Lock(
        sources=tuple(entries),
        channel_version=int(channel.get("version", 0)),
        content_hash=channel.get("content_hash"),
        versions=tuple(sorted(channel.get("versions", {}).items())),
    )


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
        key: {k: v for k, v in asdict(entry).items() if v is not None}
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


def write_lock(path: Path, lock: Lock, *, manifest_id: str) -> None:
    """Write atomically: a reader never sees half a lock file."""
    text = lock_to_json(lock, manifest_id=manifest_id)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    atomic.write_text(path, text)
