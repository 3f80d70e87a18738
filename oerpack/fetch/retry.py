"""When to try a download again and how long to wait first (pure: no I/O, no clock)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

#: HTTP statuses worth another attempt: timeouts, rate limits and server trouble.
_RANDOM = random.Random()
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` attempts after the first; delays grow ``backoff * 2**n`` with full
    jitter in its upper half, and never exceed ``max_backoff`` (Retry-After included)."""

    retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0

    def allows(self, failed_attempts: int) -> bool:
        return failed_attempts <= self.retries

    def delay(
        self,
        failed_attempts: int,
        *,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before attempt ``failed_attempts + 1``."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_backoff)
        base = min(self.max_backoff, self.backoff * 2.0 ** max(failed_attempts - 1, 0))
        return base * (rng or _RANDOM).uniform(0.5, 1.0)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


class RateFloor:
    """A body must arrive at ``min_rate`` bytes/s or more, measured over each ``window``
    seconds: a server trickling a few bytes now and then never trips the read timeout
    (which counts silence only), but it trips this. ``min_rate`` 0 turns it off."""

    def __init__(self, min_rate: int, window: float, *, received: int, now: float) -> None:
        self.min_rate = min_rate
        self.window = window
        self._since = now
        self._mark = received

    def check(self, received: int, now: float) -> str | None:
        """Why the body is too slow, once a window has passed below the floor; else None."""
        elapsed = now - self._since
        if self.min_rate <= 0 or elapsed < self.window:
            return None
        got = received - self._mark
        if got < self.min_rate * elapsed:
            return (
                f"too slow: {got / elapsed:,.0f} bytes/s over {elapsed:.0f} s "
                f"(--min-rate is {self.min_rate:,} bytes/s)"
            )
        self._since, self._mark = now, received
        return None
