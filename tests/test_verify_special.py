"""``oerpack verify`` on what a stick or a re-packed zip can hold besides plain files: FIFOs
and links are refused (not read forever), encrypted and Deflate64 zips are one clear line,
and a SHA256SUMS written by ``sha256sum -b`` is read."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.package.checksums import format_sums, sha256_file

FILES = {"index.html": b"<html>hello</html>", "assets/app.js": b"let x = 1;\n"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process with a deadline, so that a hang fails the test."""
    code = "import sys; from oerpack.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    sums = {name: sha256_file(folder / name) for name in FILES}
    (folder / "SHA256SUMS").write_text(format_sums(sums), encoding="utf-8")
    return folder


def test_the_plain_package_is_intact(package: Path) -> None:
    result = run("verify", str(package))
    assert result.exit_code == 0, result.output


def test_a_fifo_is_refused_not_read(package: Path) -> None:
    os.mkfifo(package / "assets" / "pipe.js")
    result = run_process("verify", str(package))
    assert result.returncode == ExitCode.DAMAGED_PACKAGE, result.stderr
    assert "not a regular file: assets/pipe.js" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_listed_file_replaced_by_a_fifo(package: Path) -> None:
    (package / "index.html").unlink()
    os.mkfifo(package / "index.html")
    result = run_process("verify", str(package))
    assert result.returncode == ExitCode.DAMAGED_PACKAGE, result.stderr
    assert "not a regular file: index.html" in result.stdout
    assert "missing: index.html" not in result.stdout


def test_a_link_to_dev_zero_is_refused_not_read(package: Path) -> None:
    (package / "index.html").unlink()
    (package / "index.html").symlink_to("/dev/zero")
    (package / "big.bin").symlink_to("/dev/zero")
    result = run_process("verify", str(package))
    assert result.returncode == ExitCode.DAMAGED_PACKAGE, result.stderr
    assert "not a regular file: big.bin" in result.stdout
    assert "not a regular file: index.html" in result.stdout


def test_a_link_even_to_the_right_bytes_is_refused(package: Path, tmp_path: Path) -> None:
    """A stick holds files; a link would not survive the copy to another stick."""
    (tmp_path / "elsewhere.js").write_bytes(FILES["assets/app.js"])
    (package / "assets" / "app.js").unlink()
    (package / "assets" / "app.js").symlink_to(tmp_path / "elsewhere.js")
    (package / "linked").symlink_to(tmp_path, target_is_directory=True)
    result = run("verify", str(package))
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE
    assert "not a regular file: assets/app.js" in result.output
    assert "not a regular file: linked" in result.output
    assert "1 missing" not in result.output


def test_sha256sums_as_a_fifo_or_link_is_not_read(package: Path) -> None:
    (package / "SHA256SUMS").unlink()
    (package / "SHA256SUMS").symlink_to("/dev/zero")
    result = run_process("verify", str(package))
    assert result.returncode == ExitCode.DAMAGED_PACKAGE
    assert "no SHA256SUMS found" in result.stderr


def test_sums_written_by_sha256sum_in_binary_mode(package: Path) -> None:
    listing = subprocess.run(
        ["sha256sum", "-b", *FILES], cwd=package, capture_output=True, text=True, check=True
    ).stdout
    assert " *index.html" in listing
    (package / "SHA256SUMS").write_text(listing, encoding="utf-8")
    result = run("verify", str(package))
    assert result.exit_code == 0, result.output
    assert "2 files match" in result.output


def test_sums_with_an_escaped_name(package: Path) -> None:
    odd = "a\\b.txt"
    (package / odd).write_bytes(b"odd")
    listing = subprocess.run(
        ["sha256sum", *FILES, odd], cwd=package, capture_output=True, text=True, check=True
    ).stdout
    assert listing.splitlines()[-1].startswith("\\")  # coreutils escaped the backslash
    (package / "SHA256SUMS").write_text(listing, encoding="utf-8")
    assert run("verify", str(package)).exit_code == 0


def zipped(package: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(package.rglob("*")):
            if path.is_file():
                archive.write(path, f"pkg/{path.relative_to(package).as_posix()}")
    return target


def patch_members(archive: Path, *, flag: int = 0, method: int | None = None) -> None:
    """Rewrite every member's headers as another zip program would have written them:
    the general-purpose flag (bit 0: encrypted) and the compression method."""
    data = bytearray(archive.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            (old,) = struct.unpack_from("<H", data, at + flag_at)
            struct.pack_into("<H", data, at + flag_at, old | flag)
            if method is not None:
                struct.pack_into("<H", data, at + flag_at + 2, method)
            start = at + 4
    archive.write_bytes(bytes(data))


def test_the_plain_zip_is_intact(package: Path, tmp_path: Path) -> None:
    assert run("verify", str(zipped(package, tmp_path / "pkg.zip"))).exit_code == 0


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"flag": 0x1}, "3 file(s) are encrypted (e.g. pkg/SHA256SUMS)"),
        ({"method": 9}, "3 file(s) are compressed with Deflate64 (method 9"),
    ],
    ids=["encrypted", "deflate64"],
)
def test_a_zip_other_programs_repacked(
    package: Path, tmp_path: Path, patch: dict[str, int], message: str
) -> None:
    archive = zipped(package, tmp_path / "pkg.zip")
    patch_members(archive, **patch)
    result = run("verify", str(archive))
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE, result.output
    assert isinstance(result.exception, SystemExit)
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert message in error
    assert "Hint: unzip it with the program that made it" in result.stderr


def test_verify_given_a_fifo_or_dev_zero_itself(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "stick")
    (tmp_path / "zero.zip").symlink_to("/dev/zero")
    for given in ("stick", "zero.zip"):
        result = run_process("verify", str(tmp_path / given))
        assert result.returncode == ExitCode.DAMAGED_PACKAGE, result.stderr
        assert "not a package folder or zip" in result.stderr
