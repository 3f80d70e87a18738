"""One download against the real fault-injecting server: resume, restart, retry, verify."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from oerpack.cache import Cache
from oerpack.errors import ChecksumError, DiskSpaceError, DownloadError, OfflineMissingError
from oerpack.fetch import Downloader
from oerpack.models import FetchResult, FetchTask
from tests.support.fetching import fast_settings
from tests.support.server import MP4_HEAD, PDF_HEAD, FaultServer, pattern_body

SIZE = 1_000_000
BODY = pattern_body(SIZE, seed=3, head=PDF_HEAD)
SHA = BODY.sha256()


def fetch(
    srv: FaultServer,
    cache_dir: Path,
    path: str = "/f.pdf",
    *,
    settings: dict[str, Any] | None = None,
    **task: Any,
) -> FetchResult:
    url = srv.url(path)
    downloader = Downloader(fast_settings(cache_dir, **(settings or {})), Cache(cache_dir))
    try:
        return downloader.fetch(
            FetchTask(key="talk.ru", url=url, source_url=url, lang="ru", **task)
        )
    finally:
        downloader.close()


@pytest.fixture
def srv(fault_server: FaultServer) -> FaultServer:
    fault_server.add("/f.pdf", BODY)
    return fault_server


def partials(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "partial").glob("*.part"))


def test_download_hashes_in_one_pass_and_caches(srv: FaultServer, cache_dir: Path) -> None:
    result = fetch(srv, cache_dir, sha256=SHA, size=SIZE)
    assert result.blob.sha256 == SHA
    assert result.blob.md5 == BODY.hexdigest("md5")
    assert result.blob.path.read_bytes() == BODY(0, SIZE)
    assert result.entry.etag == srv.route("/f.pdf").etag
    assert srv.stats("/f.pdf").bytes_sent == SIZE
    assert partials(cache_dir) == []


@pytest.mark.parametrize("cut", [1, 65_536, SIZE // 2, SIZE * 9 // 10, SIZE - 1])
def test_cut_connection_resumes_from_bytes_on_disk(
    srv: FaultServer, cache_dir: Path, cut: int
) -> None:
    srv.fault("/f.pdf", cut_after=cut, cut_times=1)
    result = fetch(srv, cache_dir, sha256=SHA)
    stats = srv.stats("/f.pdf")
    assert result.blob.sha256 == SHA
    assert stats.statuses == (200, 206)
    resume = stats.requests[1]
    start = int(resume.header("Range").removeprefix("bytes=").rstrip("-"))  # type: ignore[union-attr]
    assert 0 < start <= cut
    assert resume.header("If-Range") == srv.route("/f.pdf").etag
    # The resume costs the rest of the file, plus whatever the cut swallowed.
    assert stats.bytes_sent - cut == SIZE - start
    assert stats.bytes_sent <= SIZE + 256 * 1024


def test_cut_at_90_percent_costs_about_ten_percent(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", cut_after=SIZE * 9 // 10, cut_times=1)
    fetch(srv, cache_dir, sha256=SHA)
    assert srv.stats("/f.pdf").bytes_sent < SIZE * 1.02


def test_server_ignoring_range_restarts_cleanly(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", cut_after=SIZE // 2, cut_times=1, ignore_range=True)
    result = fetch(srv, cache_dir, sha256=SHA)
    assert result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (200, 200)


def test_changed_etag_restarts_with_the_new_file(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", cut_after=SIZE // 2, cut_times=1)
    with pytest.raises(DownloadError):
        fetch(srv, cache_dir, settings={"retries": 0})
    assert [p.stat().st_size for p in partials(cache_dir)] == [SIZE // 2]
    new = pattern_body(SIZE, seed=4, head=PDF_HEAD)
    srv.replace("/f.pdf", new)
    result = fetch(srv, cache_dir)
    assert result.blob.sha256 == new.sha256()
    last = srv.stats("/f.pdf").requests[-1]
    assert last.header("If-Range") is not None and last.status == 200


def test_wrong_content_range_start_is_rejected(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", cut_after=SIZE // 2, cut_times=1, bad_content_range_start=True)
    result = fetch(srv, cache_dir, sha256=SHA)
    assert result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (200, 206, 200)


def test_missing_content_length_short_read_is_caught_by_pinned_size(
    srv: FaultServer, cache_dir: Path
) -> None:
    srv.fault("/f.pdf", cut_after=SIZE // 3, cut_times=1, no_content_length=True)
    result = fetch(srv, cache_dir, sha256=SHA, size=SIZE)
    assert result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (200, 206)


def test_stalled_transfer_times_out_and_resumes(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", stall_after=SIZE // 2, stall_seconds=5, stall_times=1)
    result = fetch(srv, cache_dir, sha256=SHA, settings={"read_timeout": 0.3})
    assert result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (200, 206)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(srv: FaultServer, cache_dir: Path, status: int) -> None:
    srv.fault("/f.pdf", fail_status=status, fail_times=2, retry_after="0")
    assert fetch(srv, cache_dir, sha256=SHA).blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (status, status, 200)


def test_retry_after_is_bounded_by_max_backoff(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", fail_status=503, fail_times=1, retry_after="3600")
    started = time.monotonic()
    fetch(srv, cache_dir, sha256=SHA)
    assert time.monotonic() - started < 5
    assert srv.stats("/f.pdf").statuses == (503, 200)


def test_attempts_are_bounded(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/f.pdf", fail_status=503)
    with pytest.raises(DownloadError, match=r"gave up after 3 attempts: HTTP 503") as info:
        fetch(srv, cache_dir, settings={"retries": 2})
    assert info.value.exit_code == 4
    assert srv.stats("/f.pdf").count == 3


def test_connect_errors_are_retried_then_reported(cache_dir: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/gone.pdf"
    downloader = Downloader(fast_settings(cache_dir, retries=2), Cache(cache_dir))
    with pytest.raises(DownloadError, match=r"gave up after 3 attempts: cannot connect"):
        downloader.fetch(FetchTask(key="talk.en", url=url, lang="en"))


def test_404_names_item_language_and_url_and_is_not_retried(
    srv: FaultServer, cache_dir: Path
) -> None:
    with pytest.raises(DownloadError) as info:
        fetch(srv, cache_dir, "/missing.pdf")
    message = str(info.value)
    assert "talk.ru [ru]" in message and "404" in message and srv.url("/missing.pdf") in message
    assert srv.stats("/missing.pdf").count == 1


def test_checksum_mismatch_discards_bytes_tries_once_more_then_fails(
    srv: FaultServer, cache_dir: Path
) -> None:
    srv.fault("/f.pdf", wrong_bytes=True)
    with pytest.raises(ChecksumError) as info:
        fetch(srv, cache_dir, sha256=SHA)
    assert info.value.expected == SHA and info.value.actual != SHA
    assert f"expected {SHA}, got {info.value.actual}" in str(info.value)
    assert info.value.exit_code == 5
    assert srv.stats("/f.pdf").statuses == (200, 200)
    assert partials(cache_dir) == [] and not list((cache_dir / "blobs").rglob("*"))


def test_corrupt_partial_file_is_discarded_and_fetched_afresh(
    srv: FaultServer, cache_dir: Path
) -> None:
    srv.fault("/f.pdf", cut_after=SIZE // 2, cut_times=1)
    with pytest.raises(DownloadError):
        fetch(srv, cache_dir, settings={"retries": 0})
    [part] = partials(cache_dir)
    with part.open("r+b") as handle:  # a bit flips on a failing disk
        handle.seek(SIZE // 4)
        handle.write(b"\xff")
    result = fetch(srv, cache_dir, sha256=SHA)
    assert result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (200, 206, 200)


def test_size_mismatch_reports_expected_and_actual(srv: FaultServer, cache_dir: Path) -> None:
    with pytest.raises(ChecksumError, match=rf"size mismatch .*expected {SIZE + 1}, got {SIZE}"):
        fetch(srv, cache_dir, size=SIZE + 1)


def test_redirect_is_followed_and_recorded(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/old.pdf", redirect_to="/f.pdf", redirect_status=301)
    result = fetch(srv, cache_dir, "/old.pdf", sha256=SHA)
    assert result.entry.final_url == srv.url("/f.pdf")
    assert result.entry.url == srv.url("/old.pdf")


def test_pinned_file_in_cache_needs_no_request(srv: FaultServer, cache_dir: Path) -> None:
    fetch(srv, cache_dir, sha256=SHA)
    srv.reset_stats()
    result = fetch(srv, cache_dir, sha256=SHA, size=SIZE)
    assert result.from_cache and srv.stats("/f.pdf").count == 0


def test_unpinned_file_in_cache_is_revalidated_not_downloaded(
    srv: FaultServer, cache_dir: Path
) -> None:
    fetch(srv, cache_dir)
    srv.reset_stats()
    result = fetch(srv, cache_dir)
    assert result.from_cache and result.blob.sha256 == SHA
    assert srv.stats("/f.pdf").statuses == (304,)
    assert srv.stats("/f.pdf").bytes_sent == 0


def test_offline_uses_the_cache_and_names_what_is_missing(
    srv: FaultServer, cache_dir: Path
) -> None:
    fetch(srv, cache_dir)
    srv.reset_stats()
    assert fetch(srv, cache_dir, settings={"offline": True}).from_cache
    with pytest.raises(OfflineMissingError, match=r"not in the cache: talk\.ru"):
        fetch(srv, cache_dir, "/other.pdf", settings={"offline": True})
    assert srv.stats("/f.pdf").count == 0 and srv.stats("/other.pdf").count == 0


def test_file_larger_than_free_space_fails_before_writing(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/huge.mp4", pattern_body(10**15, head=MP4_HEAD))
    with pytest.raises(DiskSpaceError, match="not enough disk space") as info:
        fetch(fault_server, cache_dir, "/huge.mp4")
    assert info.value.exit_code == 7
    assert all(p.stat().st_size == 0 for p in partials(cache_dir))
