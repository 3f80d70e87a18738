"""What arrives must be what the source must be: a web page or a compressed transfer is a
per-source failure and nothing is cached; a wrong Content-Length does not throw away a
complete file. Against the real fault-injecting server."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oerpack.cache import Cache
from oerpack.cli import main
from oerpack.errors import DownloadError, ExitCode
from oerpack.fetch import Downloader
from oerpack.lock import lock_path
from oerpack.models import FetchResult, FetchTask
from tests.support.fetching import fast_settings, write_manifest
from tests.support.server import MP4_HEAD, PDF_HEAD, PORTAL_PAGE, FaultServer, pattern_body

SIZE = 300_000
PDF = pattern_body(SIZE, seed=5, head=PDF_HEAD)
MP4 = pattern_body(SIZE, seed=6, head=MP4_HEAD)
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
SRT = b"1\n00:00:00,000 --> 00:00:01,000\nHello\n"


def fetch(srv: FaultServer, cache_dir: Path, path: str, **task: Any) -> FetchResult:
    url = srv.url(path)
    downloader = Downloader(fast_settings(cache_dir), Cache(cache_dir))
    try:
        return downloader.fetch(FetchTask(key="doc.en", url=url, source_url=url, **task))
    finally:
        downloader.close()


def nothing_cached(cache_dir: Path) -> bool:
    stored = [p for p in cache_dir.rglob("*") if p.is_file() and p.parent.name != "locks"]
    return not [p for p in stored if "blobs" in p.parts or p.suffix in (".part", ".json")]


@pytest.mark.parametrize(
    ("path", "body", "switches", "message"),
    [
        ("/doc.pdf", PDF, {"html_instead": True}, "a web page (text/html) instead of a PDF"),
        ("/talk.mp4", MP4, {"html_instead": True}, "a web page (text/html) instead of a MP4"),
        ("/talk.srt", SRT, {"html_instead": True}, "a web page (text/html) instead of a SRT"),
        ("/talk.vtt", VTT, {"html_instead": True}, "a web page (text/html) instead of a VTT"),
        ("/slides.pptx", PDF, {}, "do not start like a PPTX file"),
        ("/doc.pdf", MP4, {}, "do not start like a PDF file"),
        ("/talk.mp4", PDF, {"gzip_encoding": True}, "compressed (Content-Encoding: gzip)"),
        ("/doc.pdf", PDF, {"gzip_encoding": True}, "compressed (Content-Encoding: gzip)"),
    ],
)
def test_the_wrong_thing_is_refused_and_nothing_cached(
    fault_server: FaultServer,
    cache_dir: Path,
    path: str,
    body: Any,
    switches: dict[str, bool],
    message: str,
) -> None:
    fault_server.add(path, body)
    fault_server.fault(path, **switches)
    with pytest.raises(DownloadError) as caught:
        fetch(fault_server, cache_dir, path)
    assert message in str(caught.value) and "nothing was stored" in str(caught.value)
    assert caught.value.exit_code == ExitCode.DOWNLOAD_FAILED
    assert nothing_cached(cache_dir), sorted(cache_dir.rglob("*"))
    assert fault_server.stats(path).count == 1  # no retries: asking again gives the same


def test_a_gz_file_labelled_gzip_is_the_file_itself(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    data = gzip.compress(b"an archive", mtime=0)
    fault_server.add("/data.gz", data)
    fault_server.fault("/data.gz", encoding_label="x-gzip")
    assert fetch(fault_server, cache_dir, "/data.gz").blob.path.read_bytes() == data
    fault_server.add("/doc.pdf", PDF)
    fault_server.fault("/doc.pdf", encoding_label="br")
    with pytest.raises(DownloadError, match=r"Content-Encoding: br"):
        fetch(fault_server, cache_dir, "/doc.pdf")


def test_a_redirect_to_a_portal_page_is_refused(fault_server: FaultServer, cache_dir: Path) -> None:
    fault_server.add("/login.html", PORTAL_PAGE, content_type="text/html")
    fault_server.fault("/doc.pdf", redirect_to="/login.html")
    with pytest.raises(DownloadError, match=r"a web page .* instead of a PDF file"):
        fetch(fault_server, cache_dir, "/doc.pdf")
    assert nothing_cached(cache_dir)


def test_an_address_without_a_name_is_checked_by_its_content_type(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/download", PORTAL_PAGE, content_type="application/pdf")
    with pytest.raises(DownloadError, match="instead of a PDF file"):
        fetch(fault_server, cache_dir, "/download")


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/doc.pdf", PDF, "text/html"),  # a misconfigured server: the bytes decide
        ("/talk.mp4", MP4, "application/octet-stream"),
        ("/talk.vtt", VTT, "text/plain"),
        ("/talk.srt", SRT, "text/plain"),
        ("/data.bin", PORTAL_PAGE, "text/html"),  # an unknown type is not judged
        ("/page.html", PORTAL_PAGE, "text/html"),
    ],
)
def test_the_right_bytes_pass_whatever_the_content_type(
    fault_server: FaultServer, cache_dir: Path, path: str, body: Any, content_type: str
) -> None:
    fault_server.add(path, body, content_type=content_type)
    result = fetch(fault_server, cache_dir, path)
    assert (
        result.blob.path.read_bytes()[:6] == (body if isinstance(body, bytes) else body(0, 6))[:6]
    )


def test_fetch_fails_that_source_only_and_writes_no_pin(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/good.pdf", PDF)
    fault_server.add("/portal.pdf", pattern_body(SIZE, seed=9, head=PDF_HEAD))
    fault_server.fault("/portal.pdf", html_instead=True)
    manifest = write_manifest(
        tmp_path / "m.yaml",
        [
            {"id": "good", "url": fault_server.url("/good.pdf")},
            {"id": "portal", "url": fault_server.url("/portal.pdf")},
        ],
    )
    result = CliRunner().invoke(
        main, ["fetch", str(manifest), "--cache-dir", str(tmp_path / "c"), "--backoff", "0"]
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED, result.output
    assert "portal.en [en]: the server sent a web page (text/html)" in result.stderr
    assert "captive portal" in result.stderr
    assert "1 fetched, 0 from cache, 1 failed" in result.stderr
    sources = json.loads(lock_path(manifest).read_text(encoding="utf-8"))["sources"]
    assert set(sources) == {"good.en"}


def served(srv: FaultServer, path: str) -> tuple[int, ...]:
    return srv.stats(path).statuses


def test_a_content_length_too_large_keeps_the_complete_file(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    """The body ends early; asking for the rest gets 416 'the file has SIZE bytes'."""
    fault_server.add("/doc.pdf", PDF)
    fault_server.fault("/doc.pdf", extra_length=1000)
    result = fetch(fault_server, cache_dir, "/doc.pdf")
    assert result.blob.sha256 == PDF.sha256() and result.blob.size == SIZE
    assert served(fault_server, "/doc.pdf") == (200, 416)
    assert fault_server.stats("/doc.pdf").bytes_sent == SIZE  # the file crossed the wire once


def test_a_content_length_too_large_without_ranges_matches_the_pinned_size(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/doc.pdf", PDF)
    fault_server.fault("/doc.pdf", extra_length=1000, ignore_range=True)
    result = fetch(fault_server, cache_dir, "/doc.pdf", size=SIZE, sha256=PDF.sha256())
    assert result.blob.sha256 == PDF.sha256()
    assert served(fault_server, "/doc.pdf") == (200,)


def test_a_content_length_too_large_without_ranges_or_pin_fails_after_one_restart(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/doc.pdf", PDF)
    fault_server.fault("/doc.pdf", extra_length=1000, ignore_range=True)
    with pytest.raises(DownloadError) as caught:
        fetch(fault_server, cache_dir, "/doc.pdf")
    assert f"promised {SIZE + 1000} bytes but sent {SIZE}, twice" in str(caught.value)
    assert caught.value.hint and f"size: {SIZE}" in caught.value.hint
    assert served(fault_server, "/doc.pdf") == (200, 200)


def test_a_redirect_to_the_real_file_is_judged_by_where_it_led(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    fault_server.add("/files/slides.pptx", pattern_body(SIZE, seed=7, head=b"PK\x03\x04"))
    fault_server.fault("/download.pdf", redirect_to="/files/slides.pptx")
    assert fetch(fault_server, cache_dir, "/download.pdf").blob.size == SIZE
