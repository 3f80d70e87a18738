"""Real `oerpack fetch` processes killed mid-file (SIGKILL, Ctrl-C) and run again, and two
processes sharing one cache."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.fetching import write_manifest
from tests.support.server import MP4_HEAD, PDF_HEAD, FaultServer, pattern_body

SMALL = [pattern_body(100_000, seed=n, head=PDF_HEAD) for n in (1, 2)]
BIG = pattern_body(4_000_000, seed=3, head=MP4_HEAD)
pytestmark = pytest.mark.slow


def start(manifest: Path, cache_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oerpack.cli",
            "fetch",
            str(manifest),
            "--cache-dir",
            str(cache_dir),
            "--backoff",
            "0",
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_part(cache_dir: Path, at_least: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.stat().st_size >= at_least for p in (cache_dir / "partial").glob("*.part")):
            return
        time.sleep(0.02)
    raise AssertionError(f"no partial file reached {at_least} bytes")


@pytest.fixture
def trickling(fault_server: FaultServer, tmp_path: Path) -> Path:
    """Two small files, then a big one trickling at 1 MB/s."""
    for n, body in enumerate(SMALL):
        fault_server.add(f"/s{n}.pdf", body)
    fault_server.add("/big.mp4", BIG)
    fault_server.fault("/big.mp4", trickle_bytes_per_s=1_000_000)
    return write_manifest(
        tmp_path / "m" / "event.yaml",
        [
            {"id": "s0", "url": fault_server.url("/s0.pdf")},
            {"id": "s1", "url": fault_server.url("/s1.pdf")},
            {"id": "big", "lang": "ru", "url": fault_server.url("/big.mp4")},
        ],
    )


def on_disk(cache_dir: Path) -> int:
    [part] = (cache_dir / "partial").glob("*.part")
    return part.stat().st_size


def settle(srv: FaultServer) -> None:
    """Wait until the server notices the killed client (it stops counting bytes sent)."""
    last, deadline = -1, time.monotonic() + 10
    while time.monotonic() < deadline:
        now = srv.stats("/big.mp4").bytes_sent
        if now == last:
            return
        last = now
        time.sleep(0.5)


def finish(srv: FaultServer, manifest: Path, cache_dir: Path) -> str:
    settle(srv)
    srv.clear_fault("/big.mp4")
    srv.reset_stats()
    proc = start(manifest, cache_dir, "--jobs", "1")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lock = json.loads(manifest.with_name("event.yaml.lock.json").read_text(encoding="utf-8"))
    assert lock["sources"]["big.ru"]["sha256"] == BIG.sha256()
    return err


@pytest.mark.slow
def test_sigkill_mid_file_then_rerun_downloads_only_the_rest(
    fault_server: FaultServer, trickling: Path, cache_dir: Path
) -> None:
    proc = start(trickling, cache_dir, "--jobs", "1")
    wait_for_part(cache_dir, 1_000_000, proc)
    proc.kill()
    proc.communicate(timeout=10)
    kept = on_disk(cache_dir)
    assert 1_000_000 <= kept < BIG.size
    err = finish(fault_server, trickling, cache_dir)
    # The finished small files are revalidated (304), not downloaded again.
    for n in (0, 1):
        assert fault_server.stats(f"/s{n}.pdf").statuses == (304,)
        assert fault_server.stats(f"/s{n}.pdf").bytes_sent == 0
    big = fault_server.stats("/big.mp4")
    assert big.statuses == (206,) and big.bytes_sent == BIG.size - kept
    assert "1 fetched, 2 from cache, 0 failed" in err


@pytest.mark.slow
def test_ctrl_c_exits_130_promptly_with_a_summary_and_resumes(
    fault_server: FaultServer, trickling: Path, cache_dir: Path
) -> None:
    proc = start(trickling, cache_dir, "--jobs", "2")
    wait_for_part(cache_dir, 1_000_000, proc)
    pressed = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert time.monotonic() - pressed < 3
    assert proc.returncode == 130
    lines = err.splitlines()
    assert "Interrupted: 2 fetched, 0 from cache, 1 unfinished" in lines
    assert "Traceback" not in err
    kept = on_disk(cache_dir)
    err = finish(fault_server, trickling, cache_dir)
    # The lock written at Ctrl-C pins the finished files: no request for them at all.
    assert fault_server.stats("/s0.pdf").count == 0 and fault_server.stats("/s1.pdf").count == 0
    big = fault_server.stats("/big.mp4")
    assert big.statuses == (206,) and big.bytes_sent == BIG.size - kept


@pytest.mark.slow
def test_two_processes_share_one_cache(
    fault_server: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    fault_server.add("/big.mp4", BIG)
    fault_server.fault("/big.mp4", trickle_bytes_per_s=4_000_000)
    manifests = [
        write_manifest(
            tmp_path / name / "event.yaml",
            [{"id": "big", "url": fault_server.url("/big.mp4")}],
            event_id=name,
        )
        for name in ("one", "two")
    ]
    procs = [start(m, cache_dir) for m in manifests]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    stats = fault_server.stats("/big.mp4")
    assert stats.bytes_sent == BIG.size  # the second waited for the first, then revalidated
    assert sorted(stats.statuses) == [200, 304]
    for manifest in manifests:
        lock = json.loads(manifest.with_name("event.yaml.lock.json").read_text(encoding="utf-8"))
        assert lock["sources"]["big.en"]["sha256"] == BIG.sha256()
