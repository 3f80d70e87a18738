"""A non-editable install ships the templates: build the wheel, install it into a clean
virtualenv and build the demo with it (and its ZIM: its dependencies come along)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_demo

pytestmark = pytest.mark.e2e


def test_wheel_in_clean_venv_builds_the_demo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        check=True,
    )
    (wheel,) = wheels.glob("oerpack-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "oerpack/templates/index.html.j2" in names
    assert "oerpack/schema/manifest.schema.json" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True
    )
    manifest = copy_demo(tmp_path / "manifests")
    out = tmp_path / "dist"
    result = subprocess.run(
        [
            str(venv / "bin" / "oerpack"),
            "-q",
            "build",
            str(manifest),
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--zim",  # libzim comes with the install too
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    index = out / "demo" / "index.html"
    assert "About this sample package" in index.read_text(encoding="utf-8")
    assert (out / "demo" / "assets" / "viewer.js").is_file()
    assert (out / "demo.zim").read_bytes()[:4] == b"ZIM\x04"
