"""``oerpack verify``: a damaged stick or zip is found and named (exit 6)."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.settings import Settings
from tests.support.corpus import write_corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify")
    manifest = write_corpus(root / "src")
    outcome = build_package(manifest, root / "out", Settings(cache_dir=root / "cache"))
    return outcome.package.folder


@pytest.fixture
def stick(built: Path, tmp_path: Path) -> Path:
    """A copy of the package as it sits on a mounted stick (package at the stick's root)."""
    return Path(shutil.copytree(built, tmp_path / "stick"))


def video(folder: Path) -> Path:
    (path,) = folder.rglob("*.mp4")
    return path


def flip_byte(folder: Path) -> str:
    path = video(folder)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return f"corrupt: {path.relative_to(folder).as_posix()}"


def truncate(folder: Path) -> str:
    path = folder / "index.html"
    path.write_bytes(path.read_bytes()[:-10])
    return "corrupt: index.html"


def delete(folder: Path) -> str:
    (folder / "README.txt").unlink()
    return "missing: README.txt"


def add(folder: Path) -> str:
    (folder / "assets" / "extra.js").write_text("alert(1)", encoding="utf-8")
    return "unexpected: assets/extra.js"


def replace_db(folder: Path) -> str:
    (db,) = folder.rglob("*.sqlite3")
    db.write_bytes(b"")
    return f"corrupt: {db.relative_to(folder).as_posix()}"


DAMAGE = [flip_byte, truncate, delete, add, replace_db]


@pytest.mark.slow
def test_intact_package_and_stick_noise(stick: Path) -> None:
    (stick / "System Volume Information").mkdir()
    (stick / "System Volume Information" / "IndexerVolumeGuid").write_text("x")
    result = CliRunner().invoke(main, ["verify", str(stick)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "files match SHA256SUMS" in result.output


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damaged_folder(stick: Path, damage: Callable[[Path], str]) -> None:
    expected = damage(stick)
    result = CliRunner().invoke(main, ["verify", str(stick)])
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE
    assert expected in result.output
    assert "Error:" in result.output and "Hint: copy the package again" in result.output


def test_package_one_folder_below_the_stick_root(stick: Path, tmp_path: Path) -> None:
    mount = tmp_path / "mnt"
    shutil.move(stick, mount / "package")
    assert CliRunner().invoke(main, ["verify", str(mount)]).exit_code == 0
    delete(mount / "package")
    assert CliRunner().invoke(main, ["verify", str(mount)]).exit_code == ExitCode.DAMAGED_PACKAGE


def test_missing_or_broken_sums(stick: Path) -> None:
    (stick / "SHA256SUMS").write_text("not a checksum line\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(stick)])
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE and "SHA256SUMS:1" in result.output
    (stick / "SHA256SUMS").unlink()
    result = CliRunner().invoke(main, ["verify", str(stick)])
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE and "no SHA256SUMS" in result.output


def rezip(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes | None],
    extra: dict[str, bytes] | None = None,
) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def test_zip(built: Path, tmp_path: Path) -> None:
    good = built.with_suffix(".zip")
    runner = CliRunner()
    assert runner.invoke(main, ["verify", str(good)]).exit_code == 0

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name.endswith(".mp4") else data

    cases = {
        "corrupt": rezip(good, tmp_path / "c.zip", flip),
        "missing": rezip(
            good, tmp_path / "m.zip", lambda n, d: None if n.endswith("README.txt") else d
        ),
        "unexpected": rezip(
            good, tmp_path / "u.zip", lambda n, d: d, {"kz-webinars/extra.txt": b"x"}
        ),
    }
    for label, path in cases.items():
        result = runner.invoke(main, ["verify", str(path)])
        assert result.exit_code == ExitCode.DAMAGED_PACKAGE, label
        assert f"{label}: " in result.output
    truncated = tmp_path / "t.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = runner.invoke(main, ["verify", str(truncated)])
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE and "damaged" in result.output
