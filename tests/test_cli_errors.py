"""Bad input to every command ends in one ``Error:`` line (plus a ``Hint:``) and a documented
exit code, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.lock import lock_path
from tests.conftest import REPO
from tests.support.fetching import write_manifest
from tests.support.server import FaultServer, pattern_body

DEMO = REPO / "manifests" / "demo.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result: Result, code: ExitCode, message: str) -> None:
    """Exit ``code`` through the CLI's handler, ``message`` on an Error: line, no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors and message in errors[0], result.stderr
    assert "Traceback" not in result.output


def local_manifest(tmp: Path, body: bytes = b"%PDF-1.4 local") -> Path:
    (tmp / "doc.pdf").write_bytes(body)
    return write_manifest(tmp / "local.yaml", [{"id": "doc", "path": "doc.pdf"}])


@pytest.mark.parametrize("command", ["validate", "fetch", "build", "refresh"])
def test_a_folder_given_as_the_manifest(command: str, tmp_path: Path) -> None:
    cache = [] if command == "validate" else ["--cache-dir", str(tmp_path / "c")]
    result = run(command, str(tmp_path), *cache)
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, "is a folder, not a manifest file")
    assert "Hint: give the path of the manifest's .yaml file" in result.stderr


def test_fetch_of_a_bad_manifest_prints_no_summary_of_zeros(tmp_path: Path) -> None:
    result = run("fetch", str(tmp_path / "missing.yaml"), "--cache-dir", str(tmp_path / "c"))
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, "no such file")
    assert "0 fetched" not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"oerpack: 1\nevent:\n\tid: x\n", "tabs.yaml:3: invalid YAML"),
        (b"\xff\xfeoerpack: 1\n", "not UTF-8 text"),
    ],
)
def test_tabs_and_binary_manifests(text: bytes, message: str, tmp_path: Path) -> None:
    manifest = tmp_path / "tabs.yaml"
    manifest.write_bytes(text)
    result = run("validate", str(manifest))
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, message)
    assert "Hint: " in result.stderr


def test_an_unparsable_url_is_a_manifest_error(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.yaml", [{"id": "a", "url": "http://[::1/a.pdf"}])
    assert_clean_failure(
        run("validate", str(manifest)), ExitCode.BAD_MANIFEST, "is not a valid URL"
    )


@pytest.mark.parametrize(
    ("lock", "message"),
    [
        (None, "cannot read the lock file: Is a directory"),
        ('{"format": 1, "sources": []}', "not an oerpack lock file"),
        ('{"format": 1, "channel": {"version": "two"}}', "not an oerpack lock file"),
        ("{not json", "lock file is not valid JSON"),
    ],
)
@pytest.mark.parametrize("command", ["fetch", "build", "refresh"])
def test_an_unusable_lock_file(
    command: str, lock: str | None, message: str, tmp_path: Path
) -> None:
    manifest = local_manifest(tmp_path)
    if lock is None:
        lock_path(manifest).mkdir()
    else:
        lock_path(manifest).write_text(lock, encoding="utf-8")
    result = run(command, str(manifest), "--cache-dir", str(tmp_path / "c"))
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, message)
    assert "Hint: " in result.stderr and "delete it" in result.stderr


def test_build_with_out_under_a_file_fails_before_fetching(tmp_path: Path) -> None:
    manifest = local_manifest(tmp_path)
    (tmp_path / "afile").write_text("x")
    result = run(
        "build",
        str(manifest),
        "--out",
        str(tmp_path / "afile" / "dist"),
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert_clean_failure(result, ExitCode.FAILURE, "as the output folder: a file is in the way")
    assert "Hint: give --out a folder you can write to" in result.stderr
    assert "read    doc.en" not in result.stderr  # nothing was read or fetched first
    assert not lock_path(manifest).exists()


def test_build_with_out_being_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = run("build", str(DEMO), "--out", str(tmp_path / "afile"))
    assert result.exit_code == ExitCode.USAGE
    assert "'--out': Directory" in result.stderr and "is a file" in result.stderr


@pytest.mark.parametrize("command", ["fetch", "cache"])
def test_a_cache_dir_under_a_file(command: str, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    args = [command, str(local_manifest(tmp_path))] if command == "fetch" else [command]
    result = run(*args, "--cache-dir", str(tmp_path / "afile" / "cache"))
    assert_clean_failure(result, ExitCode.FAILURE, "Not a directory")
    assert "Hint: check that the paths given exist" in result.stderr


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("missing", ExitCode.USAGE, "does not exist"),
        ("afile", ExitCode.DAMAGED_PACKAGE, "not a zip"),
        (".", ExitCode.DAMAGED_PACKAGE, "no SHA256SUMS found"),
    ],
)
def test_verify_bad_targets(target: str, code: ExitCode, message: str, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = run("verify", str(tmp_path / target))
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("url", ["notaurl", "ftp://example.org/x", "http://"])
def test_discover_wants_a_web_address(url: str) -> None:
    result = run("discover", url)
    assert result.exit_code == ExitCode.USAGE
    assert "is not an http:// or https:// address" in result.stderr


@pytest.mark.slow
def test_redirect_loops_are_failures_not_tracebacks(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.fault("/loop.pdf", redirect_to="/loop.pdf")
    url = fault_server.url("/loop.pdf")
    manifest = write_manifest(tmp_path / "m.yaml", [{"id": "a", "url": url}])
    cache = ["--cache-dir", str(tmp_path / "c"), "--retries", "0"]
    fetched = run("fetch", str(manifest), *cache)
    assert_clean_failure(fetched, ExitCode.DOWNLOAD_FAILED, "too many redirects")
    assert "Hint: the server redirects in a circle" in fetched.stderr
    refreshed = run("refresh", str(manifest), "--check", *cache)
    assert_clean_failure(refreshed, ExitCode.DOWNLOAD_FAILED, "1 source(s) are broken")
    assert "too many redirects" in refreshed.stdout
    discovered = run("discover", url, "--retries", "0")
    assert_clean_failure(discovered, ExitCode.DOWNLOAD_FAILED, "too many redirects")


def test_local_sources_are_read_not_fetched(tmp_path: Path) -> None:
    manifest = local_manifest(tmp_path)
    result = run("fetch", str(manifest), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "read    doc.en (14 B)"
    assert lines[1].startswith("0 fetched, 1 read locally, 0 from cache, 0 failed")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "refresh", "discover"])
def test_ctrl_c_mid_transfer_exits_130_without_a_traceback(
    command: str, fault_server: FaultServer, tmp_path: Path
) -> None:
    body = pattern_body(4_000_000, seed=1)
    fault_server.add("/big.mp4", body)
    fault_server.add("/page.html", body, content_type="text/html")
    for path in ("/big.mp4", "/page.html"):
        fault_server.fault(path, trickle_bytes_per_s=500_000)
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "big", "url": fault_server.url("/big.mp4")}]
    )
    args = {
        "build": ["build", str(manifest), "--out", str(tmp_path / "dist")],
        "refresh": ["refresh", str(manifest)],
        "discover": ["discover", fault_server.url("/page.html")],
    }[command]
    cache = [] if command == "discover" else ["--cache-dir", str(tmp_path / "c")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "oerpack.cli", *args, *cache],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watched = "/page.html" if command == "discover" else "/big.mp4"
    deadline = time.monotonic() + 20
    while fault_server.stats(watched).bytes_sent < 100_000 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "Traceback" not in err
    assert "Interrupted" in err
