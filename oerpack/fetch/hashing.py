"""sha256 (the cache key) and md5 (Kolibri's file name) of a byte stream in one pass, the
two digests on two cores."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..errors import ChecksumError
from ..models import FetchTask

CHUNK = 1024 * 1024


class Hashes:
    """Both digests of everything passed to ``update``.

    With a ``helper`` thread, md5 of one chunk runs while the caller hashes sha256 of it,
    writes it and receives the next (hashlib releases the GIL), so two cores share the work.
    Chunks are immutable ``bytes``, so the helper may still read one the caller has let go."""

    def __init__(self, helper: ThreadPoolExecutor | None = None) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0
        self._helper = helper
        self._pending: Future[None] | None = None

    def update(self, data: bytes) -> None:
        if self._helper is None:
            self.md5.update(data)
        else:
            self.settle()
            self._pending = self._helper.submit(self.md5.update, data)
        self.sha256.update(data)
        self.size += len(data)

    def settle(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def digests(self) -> tuple[str, str, int]:
        self.settle()
        return self.sha256.hexdigest(), self.md5.hexdigest(), self.size


def hash_file(
    path: Path,
    *,
    on_chunk: Callable[[int], None] | None = None,
    limit: int | None = None,
    helper: ThreadPoolExecutor | None = None,
) -> tuple[str, str, int]:
    """sha256, md5 and size of (the first ``limit`` bytes of) a file, read once, md5 on a
    helper thread (a temporary one unless given)."""
    if helper is None:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="oerpack-md5") as own:
            return hash_file(path, on_chunk=on_chunk, limit=limit, helper=own)
    return hash_prefix(path, on_chunk=on_chunk, limit=limit, helper=helper).digests()


def hash_prefix(
    path: Path,
    *,
    on_chunk: Callable[[int], None] | None = None,
    limit: int | None = None,
    helper: ThreadPoolExecutor | None = None,
) -> Hashes:
    """The digests of (the first ``limit`` bytes of) a file so far, to go on hashing."""
    hashes = Hashes(helper)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK if limit is None else min(CHUNK, limit - hashes.size)):
            hashes.update(chunk)
            if on_chunk:
                on_chunk(len(chunk))
    hashes.settle()
    return hashes


def verify_pins(task: FetchTask, *, sha256: str, size: int, where: str) -> None:
    """Raise ChecksumError if the bytes differ from the size or sha256 pinned for ``task``."""
    if task.size is not None and size != task.size:
        raise ChecksumError(
            key=task.label, what="size", expected=str(task.size), actual=str(size), url=where
        )
    if task.sha256 is not None and sha256 != task.sha256:
        raise ChecksumError(
            key=task.label, what="sha256", expected=task.sha256, actual=sha256, url=where
        )
