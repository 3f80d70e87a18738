"""Bounds on what a server can make oerpack do: a body trickling too slowly is retried and
then fails, and an event page larger than the cap is read only up to the cap."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from oerpack.cache import Cache
from oerpack.errors import DownloadError
from oerpack.fetch import Downloader, get_page
from oerpack.fetch.probe import MAX_PAGE_BYTES
from oerpack.models import FetchTask
from tests.support.fetching import fast_settings
from tests.support.server import PDF_HEAD, FaultServer, pattern_body


def test_a_trickling_body_is_retried_then_fails(fault_server: FaultServer, cache_dir: Path) -> None:
    body = pattern_body(40_000, seed=3, head=PDF_HEAD)
    fault_server.add("/slow.pdf", body)
    fault_server.fault("/slow.pdf", trickle_bytes_per_s=2_000)
    settings = fast_settings(cache_dir, retries=1, min_rate=50_000, rate_window=0.5)
    downloader = Downloader(settings, Cache(cache_dir))
    started = time.monotonic()
    try:
        with pytest.raises(DownloadError) as caught:
            downloader.fetch(FetchTask(key="slow.en", url=fault_server.url("/slow.pdf")))
    finally:
        downloader.close()
    assert time.monotonic() - started < 8  # the whole body would take 20 s
    assert "too slow" in str(caught.value) and "gave up after 2 attempts" in str(caught.value)
    assert caught.value.hint and "--min-rate" in caught.value.hint
    requests = fault_server.stats("/slow.pdf").requests
    assert len(requests) == 2
    assert requests[1].header("Range") is not None  # the retry resumed where the first stopped


def test_a_zero_minimum_rate_waits_for_a_slow_body(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    body = pattern_body(3_000, seed=4, head=PDF_HEAD)
    fault_server.add("/slow.pdf", body)
    fault_server.fault("/slow.pdf", trickle_bytes_per_s=3_000)
    settings = fast_settings(cache_dir, retries=0, min_rate=0, rate_window=0.2)
    downloader = Downloader(settings, Cache(cache_dir))
    try:
        result = downloader.fetch(FetchTask(key="slow.en", url=fault_server.url("/slow.pdf")))
    finally:
        downloader.close()
    assert result.blob.sha256 == body.sha256()


def test_a_huge_event_page_is_read_only_up_to_the_cap(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    head = b"<html><head><title>Big event</title></head><body><h1>Event</h1>"
    size = 200 * 1024 * 1024

    def reader(offset: int, length: int) -> bytes:
        start = head[offset : offset + length]
        return start + b" " * (length - len(start))

    fault_server.add("/event.html", reader, size=size, content_type="text/html; charset=utf-8")
    page = get_page(fault_server.url("/event.html"), fast_settings(cache_dir))
    assert page.content.startswith(head) and len(page.content) == MAX_PAGE_BYTES
    # The socket buffers hold a few MB more than was read; the rest was never sent.
    assert fault_server.stats("/event.html").bytes_sent < MAX_PAGE_BYTES + 32 * 1024 * 1024


def test_a_trickling_event_page_fails_with_a_clear_reason(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/event.html", b"<html>" + b" " * 20_000, content_type="text/html")
    fault_server.fault("/event.html", trickle_bytes_per_s=2_000)
    settings = fast_settings(cache_dir, retries=1, min_rate=50_000, rate_window=0.5)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="cannot read the event page: too slow"):
        get_page(fault_server.url("/event.html"), settings)
    assert time.monotonic() - started < 6  # the whole page would take 10 s
    assert fault_server.stats("/event.html").count == 2


@pytest.mark.parametrize(
    ("min_rate", "window", "readings", "slow_at"),
    [
        (100, 10.0, [(5.0, 10), (9.9, 20)], None),  # no verdict before a whole window
        (100, 10.0, [(10.0, 999)], 0),  # 99.9 B/s over 10 s: too slow
        (100, 10.0, [(10.0, 1000), (19.0, 1001), (20.0, 2000)], None),  # each window passes
        (100, 10.0, [(10.0, 1000), (20.0, 1500)], 1),  # the second window is too slow
        (0, 1.0, [(100.0, 0)], None),  # 0 turns it off
    ],
)
def test_rate_floor(
    min_rate: int, window: float, readings: list[tuple[float, int]], slow_at: int | None
) -> None:
    from oerpack.fetch.retry import RateFloor

    floor = RateFloor(min_rate, window, received=0, now=0.0)
    verdicts = [floor.check(received, now) for now, received in readings]
    found = next((n for n, v in enumerate(verdicts) if v), None)
    assert found == slow_at
    if slow_at is not None:
        assert f"--min-rate is {min_rate:,} bytes/s" in str(verdicts[slow_at])
