"""Advisory file locks between oerpack processes: the one module that knows the OS's locks.

POSIX systems use ``flock`` (shared and exclusive). Windows has only exclusive byte-range
locks (``msvcrt.locking``), so there a shared lock is taken exclusively: two runs on one
cache wait for each other instead of running side by side, which is slower but still safe.
Locks belong to the open file: closing the handle (or the process dying) releases them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try(handle: IO[bytes], *, shared: bool) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try(handle: IO[bytes], *, shared: bool) -> bool:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(handle: IO[bytes]) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


def try_lock(handle: IO[bytes], *, shared: bool = False) -> bool:
    """Take the lock if nobody holds a conflicting one; never waits."""
    return _try(handle, shared=shared)


def unlock(handle: IO[bytes]) -> None:
    _release(handle)


@contextlib.contextmanager
def locked(
    path: Path,
    *,
    shared: bool = False,
    stop: threading.Event | None = None,
    poll: float = 0.1,
) -> Iterator[IO[bytes]]:
    """Hold a lock on ``path`` (created if missing) until the block ends, waiting for
    other holders; ``stop`` set while waiting raises InterruptedError."""
    with path.open("a+b") as handle:
        while not _try(handle, shared=shared):
            if stop is not None and stop.is_set():
                raise InterruptedError(f"stopped while waiting for {path.name}")
            time.sleep(poll)
        try:
            yield handle
        finally:
            _release(handle)


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running on this machine (for leftovers of
    killed runs: a temporary file of a live process is not ours to remove)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover
        return True  # cannot tell cheaply without extra packages: assume alive, keep it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
