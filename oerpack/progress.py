"""Draw fetch progress for the CLI: a bar on a terminal, one line per file in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .fetch import Progress
from .viewer import human_size


class ProgressPrinter:
    """Receives ``Progress`` events; quiet mode prints nothing."""

    def __init__(self, *, stream: TextIO | None = None, quiet: bool = False,
                 tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.done_bytes = 0
        self.total_bytes = 0
        self.in_flight: dict[str, tuple[int, int | None]] = {}
        self.fetched = self.cached = self.failed = 0
        self._last_draw = 0.0

    def __call__(self, event: Progress) -> None:
        if event.kind == "start":
            self.in_flight[event.key] = (event.amount, event.total)
            self.done_bytes += event.amount
            self.total_bytes += event.total or 0
        elif event.kind == "advance":
            done, total = self.in_flight.get(event.key, (0, None))
            self.in_flight[event.key] = (done + event.amount, total)
            self.done_bytes += event.amount
        elif event.kind == "done":
            self.in_flight.pop(event.key, None)
            self._finish(event)
        if self.tty and not self.quiet and time.monotonic() - self._last_draw > 0.2:
            self._draw()

    def _finish(self, event: Progress) -> None:
        if event.error:
            self.failed += 1
            line = f"FAILED {event.error}"
        elif event.result is not None:
            if event.result.from_cache:
                self.cached += 1
                how = "cached"
            else:
                self.fetched += 1
                how = "fetched"
            line = f"{how:7} {event.key} ({human_size(event.result.blob.size)})"
        else:
            return
        if not self.quiet:
            self._clear()
            print(line, file=self.stream)

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        elapsed = max(self._last_draw - self.started, 1e-6)
        rate = self.done_bytes / elapsed
        total = max(self.total_bytes, self.done_bytes)
        share = self.done_bytes / total if total else 0.0
        eta = (total - self.done_bytes) / rate if rate > 0 and total else 0.0
        bar = "#" * int(share * 20)
        names = ", ".join(sorted(self.in_flight)[:3])
        self._clear()
        self.stream.write(f"[{bar:<20}] {human_size(self.done_bytes)}/{human_size(total)} "
                          f"{human_size(int(rate))}/s ETA {eta:.0f}s {names}"[:200])
        self.stream.flush()

    def summary(self) -> str:
        return f"{self.fetched} fetched, {self.cached} from cache, {self.failed} failed"

    def close(self) -> None:
        if self.tty and not self.quiet:
            self._clear()
            self.stream.flush()
