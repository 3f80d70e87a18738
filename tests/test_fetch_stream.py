"""How bytes flow from the socket to the part file: reused buffers whose read size follows
the link, one-pass hashing, keep-alive after a body read to its end."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from oerpack.cache import Cache
from oerpack.fetch import Downloader, FetchTask, Progress, hash_file
from oerpack.fetch.hashing import MAX_READ, MIN_READ, Buffers
from tests.support.fetching import fast_settings
from tests.support.server import FaultServer, pattern_body


class Ticks:
    """A clock that advances ``step`` seconds per reading: each fill seems to take ``step``."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step / 2
        return self.now


class Source:
    """A fill function over fixed bytes that records how much each call asked for."""

    def __init__(self, data: bytes, *, short: bool = False) -> None:
        self.data = data
        self.pos = 0
        self.short = short
        self.asked: list[int] = []

    def __call__(self, view: memoryview) -> int:
        self.asked.append(len(view))
        want = len(view) // 2 if self.short else len(view)
        piece = self.data[self.pos:self.pos + max(1, want)]
        view[:len(piece)] = piece
        self.pos += len(piece)
        return len(piece)


def collect(blocks: Iterator[memoryview]) -> bytes:
    return b"".join(bytes(block) for block in blocks)


def test_fast_fills_grow_to_the_largest_read() -> None:
    data = pattern_body(8 * MAX_READ)(0, 8 * MAX_READ)
    source = Source(data)
    assert collect(Buffers(clock=Ticks(0.001)).fills(source)) == data
    assert source.asked[0] == 64 * 1024
    assert source.asked[1] == 128 * 1024
    assert max(source.asked) == MAX_READ


def test_slow_fills_shrink_to_the_smallest_read() -> None:
    data = bytes(range(256)) * 4096
    source = Source(data)
    assert collect(Buffers(clock=Ticks(2.0)).fills(source)) == data
    assert source.asked[:4] == [64 * 1024, 32 * 1024, 16 * 1024, 16 * 1024]
    assert set(source.asked[3:]) == {MIN_READ}


def test_short_fills_do_not_grow_the_read() -> None:
    source = Source(bytes(1_000_000), short=True)
    collect(Buffers(clock=Ticks(0.001)).fills(source))
    assert set(source.asked) == {64 * 1024}


def test_fills_stop_at_the_limit_and_alternate_two_buffers() -> None:
    source = Source(bytes(range(256)) * 1024)
    blocks = Buffers(4096, clock=Ticks(1.0)).fills(source, limit=10_000)
    first, second, third = next(blocks), next(blocks), next(blocks)
    assert [len(first), len(second), len(third)] == [4096, 4096, 10_000 - 8192]
    assert first.obj is third.obj and first.obj is not second.obj
    assert next(blocks, None) is None
    assert source.pos == 10_000


@pytest.mark.parametrize("limit", [None, 0, 1, 70_000, 3_000_000])
def test_hash_file_reads_once_and_matches_hashlib(tmp_path: Path, limit: int | None) -> None:
    data = pattern_body(2_500_000, seed=9)(0, 2_500_000)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    seen: list[int] = []
    sha256, md5, size = hash_file(path, limit=limit, on_chunk=seen.append)
    part = data if limit is None else data[:limit]
    assert (sha256, md5, size) == (hashlib.sha256(part).hexdigest(),
                                   hashlib.md5(part).hexdigest(), len(part))
    assert sum(seen) == len(part)


def fetch_twice(srv: FaultServer, cache_dir: Path, events: list[Progress]) -> None:
    downloader = Downloader(fast_settings(cache_dir), Cache(cache_dir), events.append)
    try:
        for path in ("/a.mp4", "/b.mp4"):
            body = pattern_body(3_000_000, seed=len(path) + ord(path[1]))
            srv.add(path, body)
            result = downloader.fetch(FetchTask(key=path, url=srv.url(path), sha256=body.sha256()))
            assert result.blob.md5 == body.hexdigest("md5")
            assert result.blob.path.read_bytes() == body(0, body.size)
    finally:
        downloader.close()


def test_the_connection_is_kept_alive_after_a_whole_body(
        fault_server: FaultServer, cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    fetch_twice(fault_server, cache_dir, [])
    opened = [r for r in caplog.records if "Starting new HTTP connection" in r.getMessage()]
    dropped = [r for r in caplog.records if "Resetting dropped connection" in r.getMessage()]
    assert (len(opened), len(dropped)) == (1, 0)


def test_progress_moves_in_small_steps_on_a_slow_link(
        fault_server: FaultServer, cache_dir: Path) -> None:
    body = pattern_body(300_000, seed=4)
    fault_server.add("/slow.mp4", body)
    fault_server.fault("/slow.mp4", trickle_bytes_per_s=400_000)
    events: list[Progress] = []
    downloader = Downloader(fast_settings(cache_dir), Cache(cache_dir), events.append)
    try:
        result = downloader.fetch(FetchTask(key="slow", url=fault_server.url("/slow.mp4")))
    finally:
        downloader.close()
    steps = [e.amount for e in events if e.kind == "advance"]
    assert result.blob.sha256 == body.sha256()
    assert sum(steps) == body.size
    assert len(steps) >= 4 and max(steps) <= 64 * 1024
