"""sha256 (the cache key) and md5 (Kolibri's file name) of a byte stream in one pass, filled
into reused buffers so the data is neither copied nor allocated per read."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

#: The largest read: big enough to make per-read overhead vanish, small enough to stay in
#: the CPU cache between receiving, writing and hashing it.
MAX_READ = 1024 * 1024
#: The smallest read, used on slow links so progress and Ctrl-C stay responsive.
MIN_READ = 16 * 1024
#: A read that fills faster than this doubles the next one; slower than SLOW_S halves it.
FAST_S = 0.05
SLOW_S = 0.5

Fill = Callable[[memoryview], int]
"""Reads into the buffer, returns the byte count (0 at the end); may block until full."""


class Hashes:
    """Both digests of everything passed to ``update``.

    With a ``helper`` thread, md5 of one buffer runs while the caller hashes sha256 of it,
    writes it and receives the next (hashlib releases the GIL), so two cores share the work.
    The caller must leave a buffer untouched until the next ``update`` or ``settle``
    returns; ``Buffers`` alternates two buffers to make that so."""

    def __init__(self, helper: ThreadPoolExecutor | None = None) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0
        self._helper = helper
        self._pending: Future[None] | None = None

    def update(self, data: memoryview) -> None:
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


class Buffers:
    """Two reusable read buffers, handed out in turn, with a read size that adapts to the
    link: whole MiB on a fast one, small reads when bytes trickle in (a fill blocks until
    the buffer is full, so its size bounds how often progress and Ctrl-C get a look)."""

    def __init__(self, size: int = MAX_READ, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._views = (memoryview(bytearray(size)), memoryview(bytearray(size)))
        self._turn = 0
        self._clock = clock
        self.read_size = min(size, 64 * 1024)

    def fills(self, fill: Fill, *, limit: int | None = None) -> Iterator[memoryview]:
        """Fill buffers until ``fill`` returns 0 (or ``limit`` bytes); yield each filled
        part, valid until the next-but-one step."""
        left = limit
        while left is None or left > 0:
            view = self._views[self._turn]
            self._turn ^= 1
            want = self.read_size if left is None else min(self.read_size, left)
            started = self._clock()
            count = fill(view[:want])
            if not count:
                return
            self._adapt(self._clock() - started, full=count == want)
            if left is not None:
                left -= count
            yield view[:count]

    def _adapt(self, elapsed: float, *, full: bool) -> None:
        if full and elapsed < FAST_S:
            self.read_size = min(self.read_size * 2, len(self._views[0]))
        elif elapsed > SLOW_S:
            self.read_size = max(self.read_size // 2, MIN_READ)


def hash_file(path: Path, *, on_chunk: Callable[[int], None] | None = None,
              limit: int | None = None) -> tuple[str, str, int]:
    """sha256, md5 and size of (the first ``limit`` bytes of) a file, read once."""
    return hash_prefix(path, on_chunk=on_chunk, limit=limit).digests()


def hash_prefix(path: Path, *, on_chunk: Callable[[int], None] | None = None,
                limit: int | None = None, helper: ThreadPoolExecutor | None = None,
                buffers: Buffers | None = None) -> Hashes:
    hashes = Hashes(helper)
    with path.open("rb", buffering=0) as handle:
        for data in (buffers or Buffers()).fills(handle.readinto, limit=limit):
            hashes.update(data)
            if on_chunk:
                on_chunk(len(data))
    hashes.settle()
    return hashes
