"""The channel version rules, in one place.

Kolibri imports a channel from a drive only when its version is higher than the one it has,
and ignores a channel of the same version. So a version must name exactly one content:

* identical content always gets the same version (two sticks built from the same sources
  with the same options are interchangeable, whichever was built first);
* different content never shares a version (a server that imported one "version 5" would
  otherwise never take the other);
* new content gets the next number: one more than any version the lock has ever given.

The lock remembers ``content hash -> version`` for every content it has seen
(``channel.versions``). The number is assigned under an exclusive lock in the cache, with
the lock file read again inside it, so two builds of one manifest running at once cannot
give one number to two contents or lose one another's update.

Going back to earlier content (original -> lite -> original) gives the earlier number back.
A Kolibri server that imported the later, higher version keeps it: it does not go back on
its own (see the README, "Channel versions").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import locking
from .lock import read_lock, write_lock
from .models import Lock


@dataclass(frozen=True, slots=True)
class Assigned:
    """The version for a content, and whether a higher one was given out before (a server
    that imported that one will not import this)."""

    version: int
    highest: int
    new: bool

    @property
    def older(self) -> bool:
        return self.version < self.highest


def known_versions(lock: Lock) -> dict[str, int]:
    """Content hash -> version, including the last build of a lock written before the
    table existed."""
    table = dict(lock.versions)
    if lock.content_hash and lock.channel_version and lock.content_hash not in table:
        table[lock.content_hash] = lock.channel_version
    return table


def version_for(lock: Lock, content_hash: str) -> tuple[Assigned, Lock]:
    """Pure: the version of ``content_hash`` given what ``lock`` has given out, and the
    lock with it recorded (as the last build's too)."""
    table = known_versions(lock)
    highest = max([*table.values(), lock.channel_version, 0])
    new = content_hash not in table
    if new:
        table[content_hash] = highest + 1
    version = table[content_hash]
    assigned = Assigned(version=version, highest=max(highest, version), new=new)
    updated = replace(
        lock,
        channel_version=version,
        content_hash=content_hash,
        versions=tuple(sorted(table.items())),
    )
    return assigned, updated


@contextlib.contextmanager
def held(guard: Path) -> Iterator[None]:
    """Hold ``guard`` (a file in the cache, one per lock file) exclusively."""
    guard.parent.mkdir(parents=True, exist_ok=True)
    with locking.locked(guard):
        yield


def _merged(on_disk: Lock, ours: Lock) -> Lock:
    """``ours`` with every version the lock on disk has given out (another build may have
    written it since we read it) and the higher of the two last-build versions."""
    table = known_versions(on_disk)
    for content, version in known_versions(ours).items():
        table.setdefault(content, version)
    last = on_disk if on_disk.channel_version >= ours.channel_version else ours
    return replace(
        ours,
        versions=tuple(sorted(table.items())),
        channel_version=last.channel_version,
        content_hash=last.content_hash,
    )


def write_lock_keeping_versions(
    lock_file: Path, guard: Path, ours: Lock, *, manifest_id: str
) -> Lock:
    """Write ``ours`` (fetch, refresh) without losing a version a concurrent build gave."""
    with held(guard):
        lock = _merged(read_lock(lock_file), ours)
        write_lock(lock_file, lock, manifest_id=manifest_id)
    return lock


def assign_version(
    lock_file: Path, guard: Path, content_hash: str, ours: Lock, *, manifest_id: str
) -> tuple[Assigned, Lock]:
    """Give ``content_hash`` its version and write the lock: ``ours`` (this build's
    sources and derived outputs) with the version table as it is on disk now, under the
    exclusive ``guard`` so that concurrent builds see each other's numbers."""
    with held(guard):
        base = _merged(read_lock(lock_file), ours)
        assigned, lock = version_for(base, content_hash)
        write_lock(lock_file, lock, manifest_id=manifest_id)
    return assigned, lock
