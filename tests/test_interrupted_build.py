"""Builds killed half-way: what they leave is removed by the next build (never what a live
process is writing), and the folder and the zip never stay silently apart."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.media.derive import MediaOptions
from oerpack.package.archive import fingerprint_of, zip_is_current
from oerpack.package.outdir import leftovers
from tests.support.fetching import fast_settings, write_manifest

PLAIN = MediaOptions(page_images=False, thumbnails=False)
EVENT = "nettest"


def event(folder: Path, big_mb: int = 0) -> Path:
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "note.txt").write_text("a note\n", encoding="utf-8")
    sources = [{"id": "note", "path": "files/note.txt"}]
    if big_mb:
        # Random letters: text that deflates (slowly) rather than being stored.
        letters = bytes(ord("a") + n % 26 for n in range(256))
        with (files / "big.txt").open("wb") as out:
            for _ in range(big_mb):
                out.write(os.urandom(1_000_000).translate(letters))
        sources.append({"id": "big", "path": "files/big.txt"})
    return write_manifest(folder / "event.yaml", sources)


def in_step(out: Path) -> bool:
    folder, archive = out / EVENT, out / f"{EVENT}.zip"
    with zipfile.ZipFile(archive) as opened:
        comment = opened.comment.decode()
    return comment.endswith(fingerprint_of(folder / "SHA256SUMS")) and zip_is_current(
        archive, folder, root=EVENT, fingerprint=fingerprint_of(folder / "SHA256SUMS")
    )


@pytest.mark.slow
def test_a_build_killed_while_zipping_is_cleaned_and_consistent(tmp_path: Path) -> None:
    manifest = event(tmp_path / "src", big_mb=60)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build_package(manifest, out, fast_settings(cache), media=PLAIN)
    manifest.write_text(manifest.read_text("utf-8").replace("Network test", "Second"), "utf-8")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oerpack",
            "-q",
            "build",
            str(manifest),
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
            "--no-page-images",
            "--no-thumbnails",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not any(".zip." in x.path.name for x in leftovers(out, EVENT)):
            assert child.poll() is None, "the build ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    left = leftovers(out, EVENT)
    assert {x.pid for x in left} == {child.pid} and len(left) == 2  # staging folder + zip
    assert "Second" not in (out / EVENT / "index.html").read_text("utf-8")
    assert in_step(out)  # the old folder and the old zip: still a pair

    again = build_package(manifest, out, fast_settings(cache), media=PLAIN)
    assert leftovers(out, EVENT) == []
    assert sorted(p.name for p in out.iterdir()) == [f".{EVENT}.lock", EVENT, f"{EVENT}.zip"]
    assert "Second" in (again.package.folder / "index.html").read_text("utf-8")
    assert in_step(out)


def test_leftovers_of_live_processes_are_kept(tmp_path: Path) -> None:
    manifest = event(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(finished.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (dead, live.pid):
            (out / f".{EVENT}.building-{pid}" / "assets").mkdir(parents=True)
            (out / f".{EVENT}.zip.{pid}-123.tmp").write_bytes(b"PK" * 1000)
        (out / f".{EVENT}.old-{dead}").mkdir()
        (out / ".other.building-1").mkdir()  # another package's: not ours to judge
        build_package(manifest, out, fast_settings(tmp_path / "cache"), media=PLAIN)
        kept = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    finally:
        live.kill()
        live.wait()
    assert kept == sorted(
        [
            f".{EVENT}.building-{live.pid}",
            f".{EVENT}.zip.{live.pid}-123.tmp",
            f".{EVENT}.lock",
            ".other.building-1",
        ]
    )


def test_a_zip_from_another_build_is_reported_and_written_again(tmp_path: Path) -> None:
    manifest = event(tmp_path / "src")
    out, settings = tmp_path / "out", fast_settings(tmp_path / "cache")
    build_package(manifest, out, settings, media=PLAIN)
    shutil.copy(out / f"{EVENT}.zip", tmp_path / "old.zip")
    manifest.write_text(manifest.read_text("utf-8").replace("Network test", "Second"), "utf-8")
    build_package(manifest, out, settings, media=PLAIN)
    os.replace(tmp_path / "old.zip", out / f"{EVENT}.zip")  # as a kill between the renames
    assert not in_step(out)
    checked = CliRunner().invoke(main, ["verify", str(out / EVENT)])
    assert checked.exit_code == 0 and "holds another build than this folder" in checked.stderr
    again = build_package(manifest, out, settings, media=PLAIN)
    assert not again.package.reassembled
    assert any("held another build" in note for note in again.notes)
    assert in_step(out)


def test_two_builds_of_one_package_at_once_are_refused(tmp_path: Path) -> None:
    from oerpack.errors import PackageError
    from oerpack.package.outdir import one_build

    manifest = event(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    with one_build(out, EVENT), pytest.raises(PackageError, match="another oerpack build"):
        build_package(manifest, out, fast_settings(tmp_path / "cache"), media=PLAIN)
