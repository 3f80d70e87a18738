"""Draw fetch progress for the CLI: a bar on a terminal, one line per file in a log."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from .credentials import mask_credentials
from .models import Progress
from .units import human_size

REDRAW_S = 0.2


class ProgressPrinter:
    """Receives ``Progress`` events from any worker thread; quiet mode prints nothing.

    On a terminal it redraws one status line (bytes, rate, ETA, files in flight); otherwise
    it prints one line per finished file."""

    def __init__(
        self, *, stream: TextIO | None = None, quiet: bool = False, tty: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        #: When the last file finished: the summary's time is the fetch's, not the build's.
        self.finished: float | None = None
        self.done_bytes = 0
        self.total_bytes = 0
        self.transferred = 0
        self.in_flight: dict[str, tuple[int, int | None]] = {}
        self.fetched = self.cached = self.failed = self.read = 0
        self._last_draw = 0.0
        self._lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        with self._lock:
            self._update(event)
            if (
                self.tty
                and not self.quiet
                and (event.kind != "advance" or time.monotonic() - self._last_draw > REDRAW_S)
            ):
                self._draw()

    def _update(self, event: Progress) -> None:
        if event.kind == "start":
            old_done, old_total = self.in_flight.get(event.key, (0, None))
            self.done_bytes += event.amount - old_done
            self.total_bytes += (event.total or 0) - (old_total or 0)
            self.in_flight[event.key] = (event.amount, event.total)
        elif event.kind == "advance":
            done, total = self.in_flight.get(event.key, (0, None))
            self.in_flight[event.key] = (done + event.amount, total)
            self.done_bytes += event.amount
            self.transferred += event.amount
        elif event.kind == "done":
            self.in_flight.pop(event.key, None)
            self.finished = time.monotonic()
            self._finish(event)

    def _finish(self, event: Progress) -> None:
        if event.error:
            self.failed += 1
            line = f"FAILED  {mask_credentials(event.error)}"
        elif event.result is not None:
            how = event.result.how
            self.cached += how == "cached"
            self.read += how == "read"
            self.fetched += how == "fetched"
            line = f"{how:7} {event.key} ({human_size(event.result.blob.size)})"
        else:
            return
        if not self.quiet:
            self._clear()
            print(line, file=self.stream, flush=True)

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")

    def status(self) -> str:
        """The terminal status line: overall bar, bytes, rate, ETA and files in flight."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.transferred / elapsed
        total = max(self.total_bytes, self.done_bytes)
        share = self.done_bytes / total if total else 0.0
        eta = f"{(total - self.done_bytes) / rate:.0f}s" if rate > 0 and total else "?"
        bar = "#" * int(share * 20)
        names = ", ".join(sorted(self.in_flight)[:3])
        more = f" +{len(self.in_flight) - 3}" if len(self.in_flight) > 3 else ""
        return (
            f"[{bar:<20}] {human_size(self.done_bytes)}/{human_size(total)} "
            f"{human_size(int(rate))}/s ETA {eta} | {len(self.in_flight)} in flight: "
            f"{names}{more}"
        )

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        self._clear()
        self.stream.write(self.status()[:200])
        self.stream.flush()

    def summary(self) -> str:
        """Files and bytes of the fetch, over the time until its last file finished (what a
        build does afterwards, encoding say, is no download time)."""
        end = self.finished if self.finished is not None else time.monotonic()
        elapsed = max(end - self.started, 1e-6)
        local = f"{self.read} read locally, " if self.read else ""
        return (
            f"{self.fetched} fetched, {local}{self.cached} from cache, {self.failed} failed "
            f"({human_size(self.transferred)} in {elapsed:.1f}s, "
            f"{human_size(int(self.transferred / elapsed))}/s)"
        )

    def close(self) -> None:
        with self._lock:
            if self.tty and not self.quiet:
                self._clear()
                self.stream.flush()
