"""Building a package: reproducible folder and zip, README, record, FAT32 and stick checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import DoesNotFitError, ExitCode, PackageError
from oerpack.package.archive import ZIP_EPOCH, write_zip
from oerpack.package.target import (
    FAT32_MAX_FILE,
    check_file_sizes,
    check_names,
    fit_report,
    name_problems,
    parse_size,
)
from oerpack.settings import Settings
from tests.support.corpus import EVENT_ID, write_corpus, write_media


def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", backoff=0, retries=0)


def db_bytes(folder: Path) -> bytes:
    (db,) = (folder / "KOLIBRI_DATA/content/databases").glob("*.sqlite3")
    return db.read_bytes()


@pytest.mark.slow
def test_two_builds_into_different_folders_are_byte_identical(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "src")
    one = build_package(manifest, tmp_path / "a", settings(tmp_path)).package
    two = build_package(manifest, tmp_path / "b", settings(tmp_path)).package
    assert one.zip_path and two.zip_path
    assert one.zip_path.read_bytes() == two.zip_path.read_bytes()
    assert db_bytes(one.folder) == db_bytes(two.folder)
    assert one.notes == (
        "talk.en: Kolibri cannot show this file type; it is in the browser viewer only",
    )


@pytest.mark.slow
def test_zip_layout_and_unzip(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "src")
    package = build_package(manifest, tmp_path / "out", settings(tmp_path)).package
    assert package.zip_path is not None
    with zipfile.ZipFile(package.zip_path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) and all(n.startswith(f"{EVENT_ID}/") for n in names)
        assert all(i.date_time == ZIP_EPOCH for i in infos)
        kinds = {i.filename.rsplit(".", 1)[-1]: i.compress_type for i in infos}
        assert kinds["mp4"] == kinds["pdf"] == kinds["pptx"] == zipfile.ZIP_STORED
        assert kinds["html"] == kinds["sqlite3"] == kinds["json"] == zipfile.ZIP_DEFLATED
        assert archive.testzip() is None
    result = subprocess.run(
        ["unzip", "-t", str(package.zip_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "No errors detected" in result.stdout


def test_non_ascii_names_are_flagged_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    (folder / "Документы").mkdir(parents=True)
    (folder / "Документы" / "файл.txt").write_text("текст", encoding="utf-8")
    target = write_zip(folder, tmp_path / "x.zip", root="pkg")
    raw = target.read_bytes()
    assert raw.count("pkg/Документы/файл.txt".encode()) == 2  # local and central header
    with zipfile.ZipFile(target) as archive:
        (info,) = archive.infolist()
        assert info.flag_bits & 0x800 and info.filename == "pkg/Документы/файл.txt"
    listing = subprocess.run(["unzip", "-Z1", str(target)], capture_output=True, check=True)
    assert "файл.txt" in listing.stdout.decode("utf-8")


def test_zip64_when_limits_are_reached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    for index in range(5):
        (folder / f"f{index}.bin").write_bytes(os.urandom(3000))
    # The real zipfile with its ZIP64 thresholds lowered, instead of writing 4 GiB.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    target = write_zip(folder, tmp_path / "x.zip", root="pkg")
    monkeypatch.undo()
    assert b"PK\x06\x06" in target.read_bytes()  # the ZIP64 end of central directory
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None and len(archive.infolist()) == 5
    result = subprocess.run(
        ["unzip", "-t", str(target)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_readme_and_build_record(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "src")
    folder = build_package(manifest, tmp_path / "out", settings(tmp_path)).package.folder
    raw = (folder / "README.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    readme = raw.decode("utf-8-sig")
    record = json.loads((folder / "oerpack.json").read_text(encoding="utf-8"))
    channel = record["channel"]
    for text in (
        "Rural education webinars",
        "Вебинары о сельском образовании",
        "sha256sum -c SHA256SUMS",
        "oerpack verify",
        "КАК ИМПОРТИРОВАТЬ В KOLIBRI",
        f"importchannel disk {channel['id']}",
        "talk.en (.pptx)",
    ):
        assert text in readme
    assert record["manifest"] == EVENT_ID and channel["version"] == 1
    assert channel["database"] == f"KOLIBRI_DATA/content/databases/{channel['id']}.sqlite3"
    files = {f["key"]: f for f in record["files"]}
    assert files["talk.en"]["kolibri_node"] is None and files["talk.ru"]["kolibri_node"]
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in files.values())
    assert [i["id"] for i in record["items"]] == ["guide", "talk", "recording"]
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    listed = {line.split("  ", 1)[1] for line in sums.splitlines()}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert listed == on_disk - {"SHA256SUMS"}
    check = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_unchanged_rebuild_links_media_and_keeps_zip(tmp_path: Path, fault_server: object) -> None:
    from tests.support.server import FaultServer

    assert isinstance(fault_server, FaultServer)
    media = write_media(tmp_path / "media")
    for name, path in media.items():
        fault_server.add(f"/m/{name}", path.read_bytes())
    manifest_dir = tmp_path / "src"
    manifest_dir.mkdir()
    from tests.support.corpus import write_manifest

    manifest = write_manifest(manifest_dir, base_url=fault_server.url("/m"))
    first = build_package(manifest, tmp_path / "out", settings(tmp_path))
    zip_stat = first.package.zip_path.stat() if first.package.zip_path else None
    again = build_package(manifest, tmp_path / "out", settings(tmp_path))
    assert again.channel_version == first.channel_version == 1
    assert first.package.linked == len(media)
    assert again.package.zip_reused and not again.package.reassembled
    assert again.package.zip_path and zip_stat
    assert again.package.zip_path.stat().st_mtime_ns == zip_stat.st_mtime_ns
    (video,) = again.package.folder.rglob("*.mp4")
    (blob,) = [
        p
        for p in (tmp_path / "cache/blobs").rglob("*")
        if p.is_file() and p.stat().st_ino == video.stat().st_ino
    ]
    assert (
        blob.name
        == json.loads((again.package.folder / "oerpack.json").read_text())["files"][-1]["sha256"]
    )


@pytest.mark.slow
def test_local_sources_are_copied_not_linked(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "src")
    outcome = build_package(manifest, tmp_path / "out", settings(tmp_path))
    (video,) = outcome.package.folder.rglob("*.mp4")
    assert outcome.package.linked == 0
    assert video.stat().st_ino != (tmp_path / "src/media/recording-ru.mp4").stat().st_ino


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("8GB", 8_000_000_000),
        ("16 gb", 16_000_000_000),
        ("7.5GiB", int(7.5 * 1024**3)),
        ("500MB", 500_000_000),
        ("1024", 1024),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    "name", ["a/con.txt", "a/b:c", "a/trailing.", "a/ space ", "x/what?.pdf", "LPT1", "a//b"]
)
def test_names_invalid_on_fat32(name: str) -> None:
    assert name_problems([name])
    with pytest.raises(PackageError):
        check_names([name])


def test_names_valid_and_case_clashes() -> None:
    assert (
        name_problems(
            ["index.html", "KOLIBRI_DATA/content/storage/a/b/ab.pdf", "Документы/файл.pdf"]
        )
        == []
    )
    assert name_problems(["a/File.txt", "a/file.TXT"])


def test_large_files_need_opt_in() -> None:
    sizes = [("small", 10), ("video.big", FAT32_MAX_FILE + 1)]
    with pytest.raises(DoesNotFitError) as caught:
        check_file_sizes(sizes, allow_large_files=False)
    assert caught.value.exit_code == ExitCode.DOES_NOT_FIT and "video.big" in str(caught.value)
    check_file_sizes(sizes, allow_large_files=True)
    check_file_sizes([("edge", FAT32_MAX_FILE)], allow_large_files=False)


def test_fit_report_rounds_to_clusters() -> None:
    report = fit_report([1, 32 * 1024, 32 * 1024 + 1, 0], 1_000_000)
    assert report.needed == 4 * 32 * 1024 and report.fits
    assert not fit_report([970_001], 1_000_000).fits


@pytest.mark.slow
def test_cli_target_size(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "src")
    runner = CliRunner()
    args = [
        "build",
        str(manifest),
        "--out",
        str(tmp_path / "out"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-zip",
    ]
    small = runner.invoke(main, [*args, "--target-size", "100KB"])
    assert small.exit_code == ExitCode.DOES_NOT_FIT, small.output
    assert "does NOT fit" in small.output and not (tmp_path / "out" / EVENT_ID).exists()
    big = runner.invoke(main, [*args, "--target-size", "8GB"])
    assert big.exit_code == 0, big.output
    assert "Stick:" in big.output and "fits" in big.output
    assert "Note: talk.en: Kolibri cannot show" in big.output
    bad = runner.invoke(main, [*args, "--target-size", "eight"])
    assert bad.exit_code == ExitCode.USAGE
    shutil.rmtree(tmp_path / "out")
