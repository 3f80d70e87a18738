"""`oerpack fetch` and `oerpack cache` from the command line: summaries, exit codes, disk
space, offline mode, pruning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.cli import main
from tests.support.fetching import write_manifest
from tests.support.server import MP4_HEAD, PDF_HEAD, FaultServer, pattern_body

A = pattern_body(150_000, seed=1, head=PDF_HEAD)
B = pattern_body(250_000, seed=2, head=MP4_HEAD)


@pytest.fixture
def srv(fault_server: FaultServer) -> FaultServer:
    fault_server.add("/a.pdf", A)
    fault_server.add("/b.mp4", B)
    return fault_server


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def fetch(manifest: Path, cache_dir: Path, *extra: str) -> Result:
    return run(
        "fetch",
        str(manifest),
        "--cache-dir",
        str(cache_dir),
        "--backoff",
        "0",
        "--retries",
        "1",
        *extra,
    )


def two_sources(srv: FaultServer, tmp_path: Path, **b: object) -> Path:
    return write_manifest(
        tmp_path / "m" / "event.yaml",
        [
            {"id": "a", "url": srv.url("/a.pdf")},
            {"id": "b", "lang": "ru", "url": srv.url(str(b.pop("path", "/b.mp4"))), **b},
        ],
    )


@pytest.mark.parametrize("command", [["fetch"], ["cache"]])
def test_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_fetch_lists_files_prints_summary_and_writes_lock(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    manifest = two_sources(srv, tmp_path)
    result = fetch(manifest, cache_dir)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert sorted(lines[:2]) == ["fetched a.en (150.0 KB)", "fetched b.ru (250.0 KB)"]
    assert lines[2].startswith("2 fetched, 0 from cache, 0 failed (400.0 KB in ")
    lock = json.loads(manifest.with_name("event.yaml.lock.json").read_text(encoding="utf-8"))
    assert lock["sources"]["b.ru"]["sha256"] == B.sha256()
    again = fetch(manifest, cache_dir)
    assert again.stderr.splitlines()[2].startswith("0 fetched, 2 from cache, 0 failed")


def test_quiet_prints_nothing_on_success(srv: FaultServer, cache_dir: Path, tmp_path: Path) -> None:
    result = run("-q", "fetch", str(two_sources(srv, tmp_path)), "--cache-dir", str(cache_dir))
    assert (result.exit_code, result.output) == (0, "")


def test_404_fails_that_item_only_and_exits_4(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    result = fetch(two_sources(srv, tmp_path, path="/nope.mp4"), cache_dir)
    assert result.exit_code == 4
    assert "fetched a.en (150.0 KB)" in result.stderr
    assert f"FAILED  b.ru [ru]: HTTP 404 Not Found ({srv.url('/nope.mp4')})" in result.stderr
    assert "1 fetched, 0 from cache, 1 failed" in result.stderr
    assert "Error: 1 source(s) failed: b.ru [ru]: HTTP 404" in result.stderr
    assert srv.stats("/nope.mp4").count == 1


def test_checksum_mismatch_exits_5(srv: FaultServer, cache_dir: Path, tmp_path: Path) -> None:
    result = fetch(two_sources(srv, tmp_path, sha256="0" * 64), cache_dir)
    assert result.exit_code == 5
    assert (
        f"b.ru [ru]: sha256 mismatch from {srv.url('/b.mp4')}: expected {'0' * 64}, got "
        f"{B.sha256()}" in result.stderr
    )
    assert srv.stats("/b.mp4").count == 2  # one fresh attempt, then the item fails
    assert not list((cache_dir / "blobs").rglob(B.sha256()))


def test_not_enough_disk_space_fails_before_any_byte(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    result = fetch(two_sources(srv, tmp_path, size=10**15), cache_dir)
    assert result.exit_code == 7
    assert "Error: not enough disk space at " in result.stderr
    assert srv.stats("/a.pdf").count == 0 and srv.stats("/b.mp4").count == 0


def test_build_checks_the_output_filesystem_too(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    manifest = two_sources(srv, tmp_path, size=10**15)
    result = run(
        "build", str(manifest), "--cache-dir", str(cache_dir), "--out", str(tmp_path / "dist")
    )
    assert result.exit_code == 7
    assert "downloads + the package" in result.stderr
    assert srv.stats("/b.mp4").count == 0


def test_offline_names_missing_sources(srv: FaultServer, cache_dir: Path, tmp_path: Path) -> None:
    manifest = two_sources(srv, tmp_path)
    result = fetch(manifest, cache_dir, "--offline")
    assert result.exit_code == 4
    assert "--offline: 2 source(s) are not in the cache: a.en, b.ru" in result.stderr
    assert fetch(manifest, cache_dir).exit_code == 0
    srv.reset_stats()
    assert fetch(manifest, cache_dir, "--offline").exit_code == 0
    assert srv.stats("/a.pdf").count == 0


def test_cache_shows_size_and_prune_keeps_what_lock_files_reference(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    keep = write_manifest(tmp_path / "keep" / "k.yaml", [{"id": "a", "url": srv.url("/a.pdf")}])
    drop = write_manifest(tmp_path / "drop" / "d.yaml", [{"id": "b", "url": srv.url("/b.mp4")}])
    assert fetch(keep, cache_dir).exit_code == 0 and fetch(drop, cache_dir).exit_code == 0
    shown = run("cache", "--cache-dir", str(cache_dir))
    assert shown.output == (
        f"{cache_dir}: 2 file(s), 400.0 KB; derived media 0 item(s), 0 B; "
        "0 partial download(s), 0 B; 2 lock file(s) known\n"
    )
    drop.with_name("d.yaml.lock.json").unlink()
    pruned = run("cache", "--cache-dir", str(cache_dir), "--prune", "--forget-missing")
    assert pruned.exit_code == 0, pruned.output
    assert pruned.output.splitlines()[:2] == [
        "Pruned 1 file(s), 250.0 KB, and 0 derived item(s), 0 B; kept 1 file(s) referenced by "
        "1 lock file(s)",
        f"Forgot missing lock file {drop.with_name('d.yaml.lock.json')}",
    ]
    assert (cache_dir / "blobs" / A.sha256()[:2] / A.sha256()).is_file()
    assert not (cache_dir / "blobs" / B.sha256()[:2] / B.sha256()).exists()


def test_prune_stops_for_a_moved_manifest_and_dry_run_removes_nothing(
    srv: FaultServer, cache_dir: Path, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path / "old" / "m.yaml", [{"id": "a", "url": srv.url("/a.pdf")}])
    assert fetch(manifest, cache_dir).exit_code == 0
    (tmp_path / "old").rename(tmp_path / "new")  # moved, e.g. to another folder or drive
    blob = cache_dir / "blobs" / A.sha256()[:2] / A.sha256()
    stopped = run("cache", "--cache-dir", str(cache_dir), "--prune")
    assert stopped.exit_code == 1
    assert f"missing: {tmp_path / 'old' / 'm.yaml.lock.json'}" in stopped.stderr
    assert "--forget-missing" in stopped.stderr and blob.is_file()
    shown = run("cache", "--cache-dir", str(cache_dir))
    assert "0 lock file(s) known (1 missing)" in shown.output
    dry = run("cache", "--cache-dir", str(cache_dir), "--prune", "--dry-run", "--forget-missing")
    assert dry.exit_code == 0 and dry.output.startswith("Would prune 1 file(s)")
    assert blob.is_file()
    kept = run(
        "cache", "--cache-dir", str(cache_dir), "--prune", "--forget-missing",
        "--keep", str(tmp_path / "new" / "m.yaml"),
    )  # fmt: skip
    assert kept.exit_code == 0 and kept.output.startswith("Pruned 0 file(s)"), kept.output
    assert blob.is_file()
    srv.reset_stats()
    assert fetch(tmp_path / "new" / "m.yaml", cache_dir, "--offline").exit_code == 0


def test_prune_keep_needs_an_existing_lock(cache_dir: Path, tmp_path: Path) -> None:
    result = run(
        "cache", "--cache-dir", str(cache_dir), "--prune", "--keep", str(tmp_path / "never.yaml")
    )
    assert result.exit_code == 3 and "no lock file here" in result.stderr
