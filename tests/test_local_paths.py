"""A ``path:`` source must really be inside the manifest's folder: a symbolic link (to a
file or a folder) that leads out is refused with exit 3 unless the user opts in."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.lock import lock_path
from tests.support.fetching import write_manifest

SECRET = b"%PDF-1.4 the build machine's secret"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "secret.pdf").write_bytes(SECRET)
    return folder


def manifest_with(tmp_path: Path, rel: str) -> Path:
    return write_manifest(tmp_path / "event" / "m.yaml", [{"id": "notes", "path": rel}])


def link_file(tmp_path: Path, outside: Path) -> Path:
    (tmp_path / "event").mkdir()
    (tmp_path / "event" / "notes.pdf").symlink_to(outside / "secret.pdf")
    return manifest_with(tmp_path, "notes.pdf")


def link_folder(tmp_path: Path, outside: Path) -> Path:
    (tmp_path / "event").mkdir()
    (tmp_path / "event" / "docs").symlink_to(outside, target_is_directory=True)
    return manifest_with(tmp_path, "docs/secret.pdf")


@pytest.mark.parametrize("make", [link_file, link_folder], ids=["file-link", "folder-link"])
@pytest.mark.parametrize("command", ["validate", "fetch", "build", "refresh"])
def test_a_link_out_of_the_manifest_folder_is_refused(
    tmp_path: Path, outside: Path, make: Callable[[Path, Path], Path], command: str
) -> None:
    manifest = make(tmp_path, outside)
    extra = [] if command == "validate" else ["--cache-dir", str(tmp_path / "c")]
    out = ["--out", str(tmp_path / "dist")] if command == "build" else []
    result = run(command, str(manifest), *extra, *out)
    assert result.exit_code == ExitCode.BAD_MANIFEST, result.output
    assert "Traceback" not in result.output
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert f"{manifest}:" in error and "item notes.sources[0].path" in error
    assert "outside the manifest's folder" in error and str(outside.resolve()) in error
    assert "--allow-outside-paths" in result.stderr
    assert not lock_path(manifest).exists()
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_opting_in_allows_the_link(tmp_path: Path, outside: Path) -> None:
    manifest = link_file(tmp_path, outside)
    assert run("validate", str(manifest), "--allow-outside-paths").exit_code == 0
    result = run(
        "fetch", str(manifest), "--cache-dir", str(tmp_path / "c"), "--allow-outside-paths"
    )
    assert result.exit_code == 0, result.output
    assert "read    notes.en" in result.stderr


def test_links_that_stay_inside_are_fine(tmp_path: Path) -> None:
    event = tmp_path / "event"
    (event / "files").mkdir(parents=True)
    (event / "files" / "real.pdf").write_bytes(b"%PDF-1.4 inside")
    (event / "alias.pdf").symlink_to(event / "files" / "real.pdf")
    (event / "shelf").symlink_to("files", target_is_directory=True)
    manifest = write_manifest(
        event / "m.yaml",
        [{"id": "a", "path": "alias.pdf"}, {"id": "b", "path": "shelf/real.pdf"}],
    )
    assert run("validate", str(manifest)).exit_code == 0


def test_a_manifest_reached_through_a_linked_folder(tmp_path: Path) -> None:
    """The manifest's folder itself may be a link: what counts is where its files are."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.pdf").write_bytes(b"%PDF-1.4 a")
    write_manifest(real / "m.yaml", [{"id": "a", "path": "a.pdf"}])
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    assert run("validate", str(tmp_path / "via" / "m.yaml")).exit_code == 0


def test_a_fifo_as_a_path_source_is_refused_not_read(tmp_path: Path) -> None:
    (tmp_path / "event").mkdir()
    os.mkfifo(tmp_path / "event" / "pipe.pdf")
    manifest = manifest_with(tmp_path, "pipe.pdf")
    result = run("validate", str(manifest))
    assert result.exit_code == ExitCode.BAD_MANIFEST
    assert "item notes.sources[0].path: not a regular file" in result.stderr
