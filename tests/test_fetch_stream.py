"""How bytes flow from the socket to the part file: one-pass hashing (md5 on a helper
thread), progress in small steps on a slow link, keep-alive after a whole body."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from oerpack.cache import Cache
from oerpack.fetch import Downloader, hash_file
from oerpack.models import FetchTask, Progress
from tests.support.fetching import fast_settings
from tests.support.server import MP4_HEAD, FaultServer, pattern_body


@pytest.mark.parametrize("limit", [None, 0, 1, 70_000, 3_000_000])
def test_hash_file_reads_once_and_matches_hashlib(tmp_path: Path, limit: int | None) -> None:
    data = pattern_body(2_500_000, seed=9)(0, 2_500_000)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    seen: list[int] = []
    sha256, md5, size = hash_file(path, limit=limit, on_chunk=seen.append)
    part = data if limit is None else data[:limit]
    assert (sha256, md5, size) == (
        hashlib.sha256(part).hexdigest(),
        hashlib.md5(part).hexdigest(),
        len(part),
    )
    assert sum(seen) == len(part)


def fetch_twice(srv: FaultServer, cache_dir: Path, events: list[Progress]) -> None:
    downloader = Downloader(fast_settings(cache_dir), Cache(cache_dir), events.append)
    try:
        for path in ("/a.mp4", "/b.mp4"):
            body = pattern_body(3_000_000, seed=len(path) + ord(path[1]), head=MP4_HEAD)
            srv.add(path, body)
            result = downloader.fetch(FetchTask(key=path, url=srv.url(path), sha256=body.sha256()))
            assert result.blob.md5 == body.hexdigest("md5")
            assert result.blob.path.read_bytes() == body(0, body.size)
    finally:
        downloader.close()


def test_the_connection_is_kept_alive_after_a_whole_body(
    fault_server: FaultServer, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    fetch_twice(fault_server, cache_dir, [])
    opened = [r for r in caplog.records if "Starting new HTTP connection" in r.getMessage()]
    dropped = [r for r in caplog.records if "Resetting dropped connection" in r.getMessage()]
    assert (len(opened), len(dropped)) == (1, 0)


def test_progress_moves_in_small_steps_on_a_slow_link(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    body = pattern_body(300_000, seed=4, head=MP4_HEAD)
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
