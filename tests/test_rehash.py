"""A wrong first download that the lock pinned can be undone: the exit-5 hint names
'refresh --rehash', which downloads the bytes again although the ETag says unchanged and
replaces the pin. The whole scenario, end to end, against the real server."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.lock import lock_path
from tests.support.fetching import write_manifest
from tests.support.server import PDF_HEAD, FaultServer, pattern_body

WRONG = pattern_body(120_000, seed=1, head=PDF_HEAD)  # e.g. a half-updated mirror's copy
RIGHT = pattern_body(150_000, seed=2, head=PDF_HEAD)
ETAG = '"v1"'


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def pinned(manifest: Path) -> str:
    lock = json.loads(lock_path(manifest).read_text(encoding="utf-8"))
    return str(lock["sources"]["doc.en"]["sha256"])


def test_a_wrong_first_download_pinned_in_the_lock(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/doc.pdf", WRONG, etag=ETAG)
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "doc", "url": fault_server.url("/doc.pdf")}]
    )
    common = ["--backoff", "0", "--retries", "0"]
    first = run("fetch", str(manifest), "--cache-dir", str(tmp_path / "c1"), *common)
    assert first.exit_code == 0, first.output
    assert pinned(manifest) == WRONG.sha256()

    # The server is fixed, under the same ETag; a fresh cache gets the right bytes.
    fault_server.replace("/doc.pdf", RIGHT, etag=ETAG)
    fresh = ["--cache-dir", str(tmp_path / "c2"), *common]
    mismatch = run("fetch", str(manifest), *fresh)
    assert mismatch.exit_code == ExitCode.CHECKSUM_MISMATCH, mismatch.output
    assert "Hint: the lock pins bytes the server no longer sends" in mismatch.stderr
    assert f"run 'oerpack refresh --rehash {manifest}'" in mismatch.stderr

    # A plain refresh trusts the ETag and changes nothing: the way out is --rehash.
    plain = run("refresh", str(manifest), *fresh)
    assert plain.exit_code == 0 and "unchanged" in plain.output
    assert pinned(manifest) == WRONG.sha256()

    rehash = run("refresh", "--rehash", str(manifest), *fresh)
    assert rehash.exit_code == 0, rehash.output
    assert "changed" in rehash.output and "other bytes than the lock pinned" in rehash.output
    assert pinned(manifest) == RIGHT.sha256()
    gets = [r for r in fault_server.stats("/doc.pdf").requests if r.method == "GET"]
    assert gets[-1].status == 200 and gets[-1].header("If-None-Match") is None

    fixed = run("fetch", str(manifest), *fresh)
    assert fixed.exit_code == 0, fixed.output
    assert "cached  doc.en" in fixed.stderr


def test_rehash_of_unchanged_bytes_keeps_the_pin(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.add("/doc.pdf", RIGHT, etag=ETAG)
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "doc", "url": fault_server.url("/doc.pdf")}]
    )
    cache = ["--cache-dir", str(tmp_path / "c"), "--backoff", "0"]
    assert run("fetch", str(manifest), *cache).exit_code == 0
    fault_server.reset_stats()
    result = run("refresh", "--rehash", str(manifest), *cache)
    assert result.exit_code == 0, result.output
    assert "same bytes (rehashed)" in result.output
    assert pinned(manifest) == RIGHT.sha256()
    assert fault_server.stats("/doc.pdf").bytes_sent == RIGHT.size  # really downloaded again


def test_a_manifest_pin_is_not_rehashed_and_the_hint_says_to_edit_it(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/doc.pdf", RIGHT, etag=ETAG)
    manifest = write_manifest(
        tmp_path / "m.yaml",
        [{"id": "doc", "url": fault_server.url("/doc.pdf"), "sha256": WRONG.sha256()}],
    )
    result = run("fetch", str(manifest), "--cache-dir", str(tmp_path / "c"), "--backoff", "0")
    assert result.exit_code == ExitCode.CHECKSUM_MISMATCH
    assert f"update or remove the sha256/size pin of doc.en in {manifest}" in result.stderr


def test_rehash_and_check_do_not_mix(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "doc", "url": "http://127.0.0.1:9/d.pdf"}]
    )
    result = run("refresh", "--rehash", "--check", str(manifest), "--cache-dir", str(tmp_path))
    assert result.exit_code == ExitCode.USAGE
    assert "--rehash downloads every source again" in result.output
