"""Draw ``oerpack write`` progress for the CLI: on a terminal a bar per target and one for
all of them, redrawn in place; in a log one line per target when it starts and ends."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from .write import StickEvent

REDRAW_S = 0.25
_WIDTH = 24


def _bar(done: int, total: int) -> str:
    share = min(done / total, 1.0) if total else 0.0
    filled = int(share * _WIDTH)
    return f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {share * 100:3.0f}%"


class StickPrinter:
    def __init__(
        self, *, stream: TextIO | None = None, quiet: bool = False, tty: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.state: dict[str, StickEvent] = {}
        self._lines = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, event: StickEvent) -> None:
        with self._lock:
            self.state[event.target] = event
            if self.quiet:
                return
            if self.tty:
                now = time.monotonic()
                if event.phase not in ("copy", "verify") or now - self._last > REDRAW_S:
                    self._last = now
                    self._draw()
            elif event.phase in ("plan", "done", "failed"):
                self._log(event)

    def _log(self, event: StickEvent) -> None:
        if event.phase == "plan":
            line = f"{event.target}: writing: {event.message}"
        elif event.phase == "done":
            line = f"{event.target}: done, verified"
        else:
            line = f"{event.target}: FAILED: {event.message}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def _draw(self) -> None:
        lines = []
        for target, e in sorted(self.state.items()):
            status = {"done": "verified", "failed": "FAILED"}.get(e.phase, e.phase)
            lines.append(f"{target[-28:]:28} {_bar(e.done, e.total)} {status}")
        done = sum(e.done for e in self.state.values())
        total = sum(e.total for e in self.state.values())
        lines.append(f"{'all ' + str(len(self.state)) + ' target(s)':28} {_bar(done, total)}")
        up = f"\033[{self._lines}F" if self._lines else ""
        self.stream.write(up + "".join(f"\033[K{line}\n" for line in lines))
        self.stream.flush()
        self._lines = len(lines)

    def close(self) -> None:
        with self._lock:
            if self.tty and not self.quiet and self.state:
                self._draw()
