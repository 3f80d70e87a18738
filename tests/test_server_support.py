"""Tests for the fault-injecting HTTP test server, driven by a real requests client."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from tests.support.server import (
    FaultServer,
    RangeNotSatisfiableError,
    http_date,
    parse_range,
    pattern_body,
)

BODY = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def srv() -> Iterator[FaultServer]:
    with FaultServer() as server:
        server.add("/a.bin", BODY)
        yield server


def get(srv: FaultServer, path: str = "/a.bin", **headers: str) -> requests.Response:
    return requests.get(srv.url(path), headers=headers, timeout=5)


def test_binds_loopback_on_an_ephemeral_port(srv: FaultServer) -> None:
    assert srv.base_url.startswith("http://127.0.0.1:")
    assert not srv.base_url.endswith(":0")


def test_full_get_sends_validators_and_guessed_type(srv: FaultServer) -> None:
    srv.add("/doc.pdf", b"%PDF")
    r = get(srv)
    assert (r.status_code, r.content) == (200, BODY)
    assert r.headers["Content-Length"] == "1024"
    assert r.headers["Accept-Ranges"] == "bytes"
    assert r.headers["ETag"] == srv.route("/a.bin").etag
    assert r.headers["ETag"].startswith('"')
    assert r.headers["Last-Modified"] == http_date(srv.route("/a.bin").last_modified)
    assert get(srv, "/doc.pdf").headers["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("header", "content_range", "start", "end"),
    [
        ("bytes=2-5", "bytes 2-5/1024", 2, 6),
        ("bytes=1000-", "bytes 1000-1023/1024", 1000, 1024),
        ("bytes=-24", "bytes 1000-1023/1024", 1000, 1024),
        ("bytes=1020-5000", "bytes 1020-1023/1024", 1020, 1024),
    ],
)
def test_range_gives_206(
    srv: FaultServer, header: str, content_range: str, start: int, end: int
) -> None:
    r = get(srv, Range=header)
    assert r.status_code == 206
    assert r.headers["Content-Range"] == content_range
    assert r.headers["Content-Length"] == str(end - start)
    assert r.content == BODY[start:end]
    assert srv.stats("/a.bin").requests[-1].header("range") == header


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-3", "bytes=5-2", "bytes=x-"])
def test_unsupported_or_invalid_range_gives_whole_body(srv: FaultServer, header: str) -> None:
    r = get(srv, Range=header)
    assert (r.status_code, r.content) == (200, BODY)


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_range_gives_416(srv: FaultServer, header: str) -> None:
    r = get(srv, Range=header)
    assert r.status_code == 416
    assert r.headers["Content-Range"] == "bytes */1024"
    with pytest.raises(RangeNotSatisfiableError):
        parse_range(header, 1024)


def test_if_range_matching_etag_or_date_keeps_206(srv: FaultServer) -> None:
    route = srv.route("/a.bin")
    assert get(srv, Range="bytes=10-", **{"If-Range": route.etag}).status_code == 206
    date = http_date(route.last_modified)
    assert get(srv, Range="bytes=10-", **{"If-Range": date}).status_code == 206


def test_if_range_mismatch_gives_full_200(srv: FaultServer) -> None:
    old = srv.route("/a.bin")
    new = srv.replace("/a.bin", b"fresh content")
    assert new.etag != old.etag and new.last_modified > old.last_modified
    for validator in (old.etag, http_date(old.last_modified), "W/" + new.etag):
        r = get(srv, Range="bytes=3-", **{"If-Range": validator})
        assert (r.status_code, r.content) == (200, b"fresh content")
        assert "Content-Range" not in r.headers


def test_conditional_get_gives_304(srv: FaultServer) -> None:
    route = srv.route("/a.bin")
    r = get(srv, **{"If-None-Match": route.etag})
    assert (r.status_code, r.content, r.headers["ETag"]) == (304, b"", route.etag)
    assert get(srv, **{"If-None-Match": '"other"'}).status_code == 200
    since = http_date(route.last_modified)
    assert get(srv, **{"If-Modified-Since": since}).status_code == 304
    earlier = http_date(route.last_modified - timedelta(days=1))
    assert get(srv, **{"If-Modified-Since": earlier}).status_code == 200


def test_failures_count_down_with_retry_after(srv: FaultServer) -> None:
    srv.fault("/a.bin", fail_status=503, fail_times=2, retry_after="7")
    first, second, third = get(srv), get(srv), get(srv)
    assert [r.status_code for r in (first, second, third)] == [503, 503, 200]
    assert first.headers["Retry-After"] == second.headers["Retry-After"] == "7"
    assert "Retry-After" not in third.headers and third.content == BODY
    assert srv.stats("/a.bin").statuses == (503, 503, 200)


def test_failure_without_count_is_permanent(srv: FaultServer) -> None:
    srv.fault("/a.bin", fail_status=404)
    assert [get(srv).status_code for _ in range(3)] == [404, 404, 404]


def raw_get(srv: FaultServer, path: str) -> tuple[bytes, bytes]:
    """Send one GET on a fresh socket and read until the server closes it."""
    port = int(srv.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        received = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


def test_cut_closes_the_connection_mid_body(srv: FaultServer) -> None:
    srv.fault("/a.bin", cut_after=100, cut_times=2)
    head, body = raw_get(srv, "/a.bin")
    assert b"Content-Length: 1024" in head and body == BODY[:100]
    received = bytearray()
    with requests.get(srv.url("/a.bin"), stream=True, timeout=5) as r:
        assert r.headers["Content-Length"] == "1024"
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for chunk in r.iter_content(chunk_size=None):
                received += chunk
    # urllib3 2.x may drop the partial read buffered when the cut is noticed.
    assert BODY.startswith(received) and len(received) <= 100
    assert get(srv).content == BODY  # both cuts used up: the next response is whole
    assert srv.stats("/a.bin").bytes_sent == 100 + 100 + 1024


def test_resume_after_cut_costs_only_the_rest(srv: FaultServer) -> None:
    body = pattern_body(1_000_000, seed=3)
    srv.add("/big.bin", body)
    srv.fault("/big.bin", cut_after=900_000, cut_times=1)
    digest, received = hashlib.sha256(), 0
    with (
        requests.get(srv.url("/big.bin"), stream=True, timeout=5) as r,
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        for chunk in r.iter_content(chunk_size=65536):
            digest.update(chunk)
            received += len(chunk)
    assert 900_000 - 65536 < received <= 900_000
    headers = {"Range": f"bytes={received}-", "If-Range": r.headers["ETag"]}
    rest = requests.get(srv.url("/big.bin"), headers=headers, timeout=5)
    assert rest.headers["Content-Range"] == f"bytes {received}-999999/1000000"
    digest.update(rest.content)
    assert digest.hexdigest() == body.sha256()
    assert srv.stats("/big.bin").bytes_sent == 900_000 + 1_000_000 - received < 1_100_000


def test_ignore_range_gives_200_without_accept_ranges(srv: FaultServer) -> None:
    srv.fault("/a.bin", ignore_range=True)
    r = get(srv, Range="bytes=10-")
    assert (r.status_code, r.content) == (200, BODY)
    assert "Accept-Ranges" not in r.headers


def test_bad_content_range_start(srv: FaultServer) -> None:
    srv.fault("/a.bin", bad_content_range_start=True)
    r = get(srv, Range="bytes=100-")
    assert (r.status_code, r.content) == (206, BODY[100:])
    assert r.headers["Content-Range"] == "bytes 99-1022/1024"


def test_redirect_to_another_path(srv: FaultServer) -> None:
    srv.fault("/old.bin", redirect_to="/a.bin", redirect_status=301)
    r = get(srv, "/old.bin")
    assert [h.status_code for h in r.history] == [301]
    assert (r.status_code, r.url, r.content) == (200, srv.url("/a.bin"), BODY)


def test_wrong_bytes_keeps_length_but_changes_content(srv: FaultServer) -> None:
    srv.fault("/a.bin", wrong_bytes=True)
    full, part = get(srv).content, get(srv, Range="bytes=500-").content
    assert len(full) == len(BODY) and full != BODY
    assert len(part) == 524 and part != BODY[500:]


def test_no_content_length_streams_until_close(srv: FaultServer) -> None:
    srv.fault("/a.bin", no_content_length=True)
    r = get(srv)
    assert "Content-Length" not in r.headers
    assert (r.status_code, r.content) == (200, BODY)


def test_head_has_headers_but_no_body(srv: FaultServer) -> None:
    r = requests.head(srv.url("/a.bin"), timeout=5)
    assert (r.status_code, r.content, r.headers["Content-Length"]) == (200, b"", "1024")
    stats = srv.stats("/a.bin")
    assert (stats.requests[0].method, stats.bytes_sent) == ("HEAD", 0)


@pytest.mark.parametrize("status", [403, 405, 501])
def test_refuse_head_answers_head_with_a_status_while_get_works(
    srv: FaultServer, status: int
) -> None:
    srv.fault("/a.bin", refuse_head=status)
    head = requests.head(srv.url("/a.bin"), timeout=5)
    assert head.status_code == status
    assert "ETag" not in head.headers
    assert (head.headers.get("Allow") == "GET") == (status == 405)
    r = get(srv)
    assert (r.status_code, r.content) == (200, BODY)
    etag = r.headers["ETag"]
    assert get(srv, **{"If-None-Match": etag}).status_code == 304
    stats = srv.stats("/a.bin")
    assert [(q.method, q.status) for q in stats.requests] == [
        ("HEAD", status),
        ("GET", 200),
        ("GET", 304),
    ]
    assert stats.bytes_sent == len(BODY)


def test_unknown_path_is_404_and_recorded(srv: FaultServer) -> None:
    assert get(srv, "/missing").status_code == 404
    assert srv.stats("/missing").statuses == (404,)


def test_bytes_sent_counts_body_bytes_and_resets(srv: FaultServer) -> None:
    get(srv)
    get(srv, Range="bytes=1000-")
    requests.head(srv.url("/a.bin"), timeout=5)
    assert srv.stats("/a.bin").bytes_sent == 1024 + 24
    assert srv.stats("/a.bin").count == 3
    srv.reset_stats()
    assert srv.stats("/a.bin").count == srv.stats("/a.bin").bytes_sent == 0


def test_stall_triggers_client_read_timeout(srv: FaultServer) -> None:
    srv.fault("/a.bin", stall_after=10, stall_seconds=5, stall_times=1)
    started = time.monotonic()
    with (
        pytest.raises(requests.exceptions.ConnectionError),
        requests.get(srv.url("/a.bin"), stream=True, timeout=(5, 0.3)) as r,
    ):
        r.content  # noqa: B018 (reading is the point)
    assert time.monotonic() - started < 3
    assert get(srv).content == BODY


def test_trickle_throttles(srv: FaultServer) -> None:
    srv.fault("/a.bin", trickle_bytes_per_s=5000)
    started = time.monotonic()
    assert get(srv).content == BODY
    assert time.monotonic() - started >= 0.15


def test_reader_callable_needs_size_and_gets_fresh_etag(srv: FaultServer) -> None:
    with pytest.raises(ValueError, match="size="):
        srv.add("/r.bin", lambda offset, length: b"x" * length)
    first = srv.add("/r.bin", lambda offset, length: b"x" * length, size=10)
    second = srv.replace("/r.bin", lambda offset, length: b"y" * length, size=10)
    assert first.etag != second.etag
    assert get(srv, "/r.bin").content == b"y" * 10


def test_pattern_body_is_deterministic_and_offset_sensitive() -> None:
    body = pattern_body(300_000, seed=1)
    whole = body(0, body.size)
    assert whole == pattern_body(300_000, seed=1)(0, 300_000)
    assert whole != pattern_body(300_000, seed=2)(0, 300_000)
    assert body(70_000, 100_000) == whole[70_000:170_000]
    assert whole[:65536] != whole[65536:131072]
    assert body.sha256() == hashlib.sha256(whole).hexdigest()
    assert body.hexdigest("md5") == hashlib.md5(whole).hexdigest()


def test_large_pattern_body_streams(srv: FaultServer) -> None:
    body = pattern_body(64 * 1024 * 1024 + 7, seed=9)
    srv.add("/huge.bin", body)
    digest = hashlib.sha256()
    with requests.get(srv.url("/huge.bin"), stream=True, timeout=10) as r:
        for chunk in r.iter_content(chunk_size=1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == body.sha256()
    assert srv.stats("/huge.bin").bytes_sent == body.size


def test_close_is_prompt_with_open_keepalive_and_stalled_connections() -> None:
    started = time.monotonic()
    with FaultServer() as server, requests.Session() as session:
        server.add("/a.bin", BODY)
        server.fault("/a.bin", stall_after=0, stall_seconds=60)
        assert session.get(server.url("/missing"), timeout=5).status_code == 404
        port = int(server.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as stalled:
            stalled.sendall(b"GET /a.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            assert stalled.recv(12) == b"HTTP/1.1 200"  # headers sent, body stalled
            server.close()
    assert time.monotonic() - started < 5
