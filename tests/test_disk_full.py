"""A disk that fills up while oerpack writes: exit 7 naming the folder and the bytes needed,
never 1 or 4; and ``cache --prune`` frees what partial downloads took. On a real tmpfs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.cache import Cache
from oerpack.cli import main
from oerpack.errors import ExitCode
from tests.support.fetching import write_manifest
from tests.support.server import FaultServer, pattern_body

FAST = ["--retries", "0", "--backoff", "0", "--timeout", "5"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def random_file(path: Path, size: int, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pattern_body(size, seed=seed)(0, size))
    return path


def test_a_download_filling_the_cache_disk_exits_7_and_prune_frees_it(
    small_disk: Path, fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/big.pdf", pattern_body(3_000_000, seed=2))
    fault_server.fault("/big.pdf", no_content_length=True)  # no size to check beforehand
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "big", "url": fault_server.url("/big.pdf")}]
    )
    cache = small_disk / "cache"
    result = run("fetch", str(manifest), "--cache-dir", str(cache), *FAST)
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.stderr
    assert f"no space left at {cache / 'partial'}" in result.stderr
    assert "bytes" in result.stderr and "Traceback" not in result.stderr
    assert "oerpack cache --prune" in result.stderr
    assert shutil.disk_usage(small_disk).free < 200_000

    pruned = run("cache", "--cache-dir", str(cache), "--prune")
    assert pruned.exit_code == 0
    assert "Removed 1 partial download(s)" in pruned.output
    assert list((cache / "partial").glob("*.part")) == []
    assert shutil.disk_usage(small_disk).free > 1_900_000


def test_prune_keeps_a_partial_download_in_use(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.ensure()
    idle = cache.partial_path("http://127.0.0.1/idle.bin")
    idle.write_bytes(b"x" * 1000)
    with cache.lock_part("http://127.0.0.1/busy.bin") as busy:
        busy.write_bytes(b"y" * 500)
        done = cache.prune()
        assert busy.exists() and not idle.exists()
    assert (done.partials_removed, done.partial_bytes_removed) == (1, 1000)


def test_a_download_that_fits_alone_but_not_beside_another_exits_7(
    small_disk: Path, fault_server: FaultServer, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        fault_server.add(f"/{name}.pdf", pattern_body(1_200_000, seed=ord(name)))
        fault_server.fault(f"/{name}.pdf", trickle_bytes_per_s=4_000_000)
    manifest = write_manifest(
        tmp_path / "m.yaml",
        [{"id": n, "url": fault_server.url(f"/{n}.pdf")} for n in ("a", "b")],
    )
    result = run("fetch", str(manifest), "--cache-dir", str(small_disk / "c"), *FAST, "-j", "2")
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.stderr
    assert str(small_disk / "c") in result.stderr and "bytes" in result.stderr


def test_a_full_out_disk_exits_7_and_leaves_nothing_behind(
    small_disk: Path, tmp_path: Path
) -> None:
    random_file(tmp_path / "src" / "big.txt", 2_500_000)
    manifest = write_manifest(tmp_path / "src" / "m.yaml", [{"id": "big", "path": "big.txt"}])
    out = small_disk / "out"
    result = run(
        "build",
        str(manifest),
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-page-images",
        "--no-thumbnails",
    )
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.stderr
    assert f"no space left at {out} while writing the package" in result.stderr
    assert "2,500,000" in result.stderr or "2,5" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".nettest.lock"]


def test_a_zip_that_does_not_fit_exits_7_and_keeps_folder_and_zip_apart_from_it(
    small_disk: Path, tmp_path: Path
) -> None:
    random_file(tmp_path / "src" / "big.txt", 1_100_000)
    manifest = write_manifest(tmp_path / "src" / "m.yaml", [{"id": "big", "path": "big.txt"}])
    out = small_disk / "out"
    result = run(
        "build",
        str(manifest),
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-page-images",
        "--no-thumbnails",
    )
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.stderr
    assert f"no space left at {out} while writing the zip" in result.stderr
    # Neither the folder nor the zip was put in place: no half of a pair.
    assert sorted(p.name for p in out.iterdir()) == [".nettest.lock"]
    assert shutil.disk_usage(small_disk).free > 1_900_000


def test_media_work_filling_the_cache_disk_exits_7(small_disk: Path, tmp_path: Path) -> None:
    from tests.support.media import make_pdf

    pdf = make_pdf(tmp_path / "src" / "doc.pdf", [f"Страница {n}" for n in range(40)])
    manifest = write_manifest(tmp_path / "src" / "m.yaml", [{"id": "doc", "path": "doc.pdf"}])
    cache = small_disk / "cache"
    (cache / "derived").mkdir(parents=True)
    random_file(small_disk / "filler", shutil.disk_usage(small_disk).free - 150_000)
    result = run("build", str(manifest), "--out", str(tmp_path / "out"), "--cache-dir", str(cache))
    assert pdf.stat().st_size < 1_000_000
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.stderr
    assert f"no space left at {cache}" in result.stderr and "making the" in result.stderr
    assert os.listdir(cache / "derived" / "tmp") == []
