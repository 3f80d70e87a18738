"""``oerpack write`` on real file systems: FAT32 images mounted with fusefat (the kernel has
no vfat module), written at once, damaged with mtools, filled up, unmounted and killed
mid-write, resumed, updated, and several packages on one stick."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.settings import Settings
from oerpack.stick.write import load_image, write_all, write_target
from tests.support.corpus import write_corpus
from tests.support.sticks import (
    change_guide,
    fat_sticks,
    image_of,
    make_image,
    mount,
    require_fuse,
    second_event,
    synthetic_package,
    unmount,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Finished packages: v1, v2 (one PDF changed, channel version 2), a second event, and
    dist/ holding v1 and the second event."""
    root = tmp_path_factory.mktemp("dist")
    settings = Settings(cache_dir=root / "cache", backoff=0)
    manifest = write_corpus(root / "src")
    v1 = build_package(manifest, root / "dist", settings, make_zip=False).package.folder
    other = build_package(second_event(root / "src2"), root / "dist", settings, make_zip=False)
    change_guide(manifest)
    v2 = build_package(manifest, root / "v2", settings, make_zip=False)
    assert v2.channel_version == 2
    return {"v1": v1, "v2": v2.package.folder, "two": other.package.folder, "dist": root / "dist"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    return result.exit_code, result.output


def test_several_fat32_sticks_written_at_once_and_verified(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with fat_sticks(tmp_path, 3) as sticks:
        code, out = run(
            "write",
            str(dist["v1"]),
            *map(str, sticks),
            str(plain),
            "--report",
            str(tmp_path / "batch"),
        )
        assert code == 0, out
        rows = json.loads((tmp_path / "batch.json").read_text())
        assert [r["verified"] for r in rows] == [True] * 4
        assert {r["fstype"] for r in rows[:3]} == {"fuse.fusefat"}
        # statvfs says 0 on fusefat: free space, serial and capacity come from the image
        assert all("FSInfo" in r["free_space"] for r in rows[:3]), rows
        assert all(re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", r["uuid"]) for r in rows[:3])
        assert all(60_000_000 < r["capacity"] < 64 * 2**20 for r in rows[:3])
        assert all(r["bytes_verified"] >= r["full_bytes"] > 0 for r in rows)
        assert all(r["readback"] in ("O_DIRECT", "fadvise", "O_DIRECT+fadvise") for r in rows)
        assert (tmp_path / "batch.csv").read_text().count("\n") == 5
        assert re.search(r"usb0 .* yes ", out)
        for stick in [*sticks, plain]:
            code, out = run("verify", str(stick))
            assert code == 0, out
        # the stick is the package, byte for byte
        assert (sticks[0] / "SHA256SUMS").read_bytes() == (dist["v1"] / "SHA256SUMS").read_bytes()
        # written again: nothing to copy, everything read back
        code, out = run(
            "write", str(dist["v1"]), str(sticks[1]), "--report", str(tmp_path / "again.json")
        )
        again = json.loads((tmp_path / "again.json").read_text())[0]
        assert code == 0 and again["bytes_written"] == 0 and again["verified"]


def test_byte_changed_on_the_image_is_caught_and_repaired(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    with fat_sticks(tmp_path, 1) as (stick,):
        assert run("write", str(dist["v1"]), str(stick))[0] == 0
        name = "index.html"
        data = bytearray((stick / name).read_bytes())
        unmount(stick)
        data[100] ^= 0x01  # one bit, same size: only the bytes tell
        changed = tmp_path / name
        changed.write_bytes(bytes(data))
        subprocess.run(
            ["mcopy", "-o", "-i", str(image_of(stick)), str(changed), f"::/{name}"], check=True
        )
        mount(image_of(stick), stick)
        code, out = run("verify", str(stick))
        assert code == 6 and f"corrupt: {name}" in out
        code, out = run("write", str(dist["v1"]), str(stick), "--report", str(tmp_path / "r.json"))
        row = json.loads((tmp_path / "r.json").read_text())[0]
        assert code == 0 and row["bytes_written"] == len(data), row  # only that file again
        assert run("verify", str(stick))[0] == 0


def forget_free_count(image: Path) -> None:
    """FSInfo's free count set to "unknown" (allowed by the FAT32 spec): no pre-check can
    tell the stick is too small, so the write runs into a full stick."""
    with image.open("r+b") as handle:
        boot = handle.read(512)
        sector, info = int.from_bytes(boot[11:13], "little"), int.from_bytes(boot[48:50], "little")
        handle.seek(info * sector + 488)
        handle.write(b"\xff\xff\xff\xff")


def test_stick_too_small_is_refused_before_writing(tmp_path: Path) -> None:
    big = synthetic_package(tmp_path / "big" / "big-event", files=12, size=4_000_000)
    with fat_sticks(tmp_path, 1, megabytes=40) as (small,):
        code, out = run("write", str(big), str(small))
        assert code == 7 and re.search(r"needs 48\.\d MB more, 4\d\.\d MB free", out), out
        assert os.listdir(small) == ["STICK0"]  # nothing written


def test_stick_filling_up_mid_write_fails_alone(tmp_path: Path) -> None:
    require_fuse()
    big = synthetic_package(tmp_path / "big" / "big-event", files=12, size=4_000_000)
    images = [make_image(tmp_path / "stick0.img", 40), make_image(tmp_path / "stick1.img", 64)]
    forget_free_count(images[0])
    small, good = tmp_path / "usb0", tmp_path / "usb1"
    try:
        mount(images[0], small)
        mount(images[1], good)
        code, out = run(
            "write", str(big), str(small), str(good), "--report", str(tmp_path / "r.json")
        )
        rows = {Path(r["target"]).name: r for r in json.loads((tmp_path / "r.json").read_text())}
        assert code == 1, out
        assert "free space unknown" in rows["usb0"]["free_space"]
        # the kernel says ENOSPC; fusefat says EPERM when its image is full
        error = rows["usb0"]["error"]
        assert not rows["usb0"]["verified"]
        assert "No space left" in error or "Operation not permitted" in error, rows
        assert (
            rows["usb1"]["verified"] and rows["usb1"]["bytes_written"] == rows["usb1"]["full_bytes"]
        )
        code, out = run("verify", str(small))
        assert code == 6 and "incomplete" in out
    finally:
        unmount(small)
        unmount(good)


def test_refuses_a_folder_that_is_not_a_stick_of_ours(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "home"
    target.mkdir()
    (target / "thesis.docx").write_text("mine")
    code, out = run("write", str(dist["v1"]), str(target))
    assert code == 1 and "holds other files (thesis.docx)" in out and "--force" in out
    assert sorted(os.listdir(target)) == ["thesis.docx"]
    code, out = run("write", str(dist["v1"]), str(target), "--force")
    assert code == 0 and not (target / "thesis.docx").exists()
    code, out = run("write", str(dist["v1"]), str(dist["v1"].parent))
    assert code == 1 and "overlaps the package" in out
    assert run("write", str(dist["v1"]))[0] == 2


def test_update_in_place_writes_only_changed_files(dist: dict[str, Path], tmp_path: Path) -> None:
    with fat_sticks(tmp_path, 1) as (stick,):
        assert run("write", str(dist["v1"]), str(stick))[0] == 0
        old = {p.relative_to(stick).as_posix() for p in stick.rglob("*") if p.is_file()}
        code, out = run("write", str(dist["v2"]), str(stick), "--report", str(tmp_path / "u.json"))
        row = json.loads((tmp_path / "u.json").read_text())[0]
        assert code == 0, out
        assert 0 < row["bytes_written"] < 0.6 * row["full_bytes"] and row["files_deleted"] >= 1
        new = {p.relative_to(stick).as_posix() for p in stick.rglob("*") if p.is_file()}
        new.discard("STICK0")  # the volume label, as fusefat shows it
        v2 = {p.relative_to(dist["v2"]).as_posix() for p in dist["v2"].rglob("*") if p.is_file()}
        assert new == v2 and old != new
        assert json.loads((stick / "oerpack.json").read_text())["channel"]["version"] == 2
        assert run("verify", str(stick))[0] == 0


def test_two_packages_share_one_stick(dist: dict[str, Path], tmp_path: Path) -> None:
    with fat_sticks(tmp_path, 1) as (stick,):
        code, out = run(
            "write", str(dist["dist"]), str(stick), "--report", str(tmp_path / "m.json")
        )
        assert code == 0, out
        row = json.loads((tmp_path / "m.json").read_text())[0]
        both = sum(
            sum(
                1
                for p in dist[k].rglob("*")
                if p.is_file() and "KOLIBRI_DATA/content/storage" in p.as_posix()
            )
            for k in ("v1", "two")
        )
        storage = [p for p in (stick / "KOLIBRI_DATA/content/storage").rglob("*") if p.is_file()]
        assert len(storage) < both  # the same media stored once
        assert len(list((stick / "KOLIBRI_DATA/content/databases").iterdir())) == 2
        home = (stick / "index.html").read_text()
        assert "Вторые вебинары" in home and "Second webinars" in home
        assert 'href="kz-webinars/index.html"' in home and 'href="kz-webinars-2/index.html"' in home
        assert row["packages"] == ["kz-webinars", "kz-webinars-2"]
        # every link of each relocated viewer still reaches a file on the stick
        for page in stick.glob("*/**/*.html"):
            for link in re.findall(r'(?:href|src)="([^"#:]+)"', page.read_text()):
                assert (page.parent / link).exists(), (page, link)
        for script in stick.glob("*/assets/**/*.js"):  # search data: links from <id>/index.html
            for link in re.findall(r'"((?:\.\./)*KOLIBRI_DATA/[^"]+)"', script.read_text()):
                viewer = stick / script.relative_to(stick).parts[0]
                assert link.startswith("../") and (viewer / link).exists(), link
        assert run("verify", str(stick))[0] == 0
        assert (
            subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=stick).returncode == 0
        )


def _start_write(package: Path, *targets: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from oerpack.cli import main; main()",
            "write",
            str(package),
            *map(str, targets),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_files(folder: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for p in folder.rglob("*.mp4") if p.is_file()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{folder}: fewer than {count} files written")


def _wait_for_journal(stick: Path, count: int, timeout: float = 60) -> None:
    """Until the write has read ``count`` files back good (its journal says so)."""
    journal = stick / ".oerpack-verified"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count("\n") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{stick}: fewer than {count} files read back")


def test_kill_9_mid_write_then_resume(tmp_path: Path) -> None:
    big = synthetic_package(tmp_path / "p" / "big-event", files=30, size=1_000_000)
    with fat_sticks(tmp_path, 1) as (stick,):
        process = _start_write(big, stick)
        _wait_for_journal(stick, 4)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        code, out = run("verify", str(stick))
        assert code == 6 and "incomplete" in out
        code, out = run("write", str(big), str(stick), "--report", str(tmp_path / "r.json"))
        row = json.loads((tmp_path / "r.json").read_text())[0]
        assert code == 0, out
        # files read back good before the kill are neither copied nor read again
        assert row["files_resumed"] >= 4, row
        assert row["bytes_written"] <= row["full_bytes"] - 4_000_000
        assert row["bytes_verified"] <= row["full_bytes"] - 4_000_000
        assert run("verify", str(stick))[0] == 0


def test_stick_unmounted_mid_write_fails_alone(tmp_path: Path) -> None:
    big = synthetic_package(tmp_path / "p" / "big-event", files=30, size=1_000_000)
    with fat_sticks(tmp_path, 2) as (pulled, kept):
        process = _start_write(big, pulled, kept)
        _wait_for_files(pulled, 3)
        unmount(pulled)
        out, _ = process.communicate(timeout=120)
        assert process.returncode != 0, out
        assert re.search(r"usb1 .* yes ", out) and re.search(r"usb0 .* NO ", out), out
        assert os.listdir(pulled) == []  # nothing went to the folder the stick left behind
        mount(image_of(pulled), pulled)
        assert run("verify", str(pulled))[0] == 6
        code, out = run("write", str(big), str(pulled))
        assert code == 0, out
        assert run("verify", str(kept))[0] == 0


def test_watch_writes_folders_as_they_appear(dist: dict[str, Path], tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    image = load_image(dist["v1"])

    def plug() -> None:
        for name in ("usb-a", "usb-b"):
            time.sleep(0.5)
            (media / name).mkdir()

    threading.Thread(target=plug).start()
    results = write_all(image, [], watch=media, watch_seconds=2.5, poll=0.1, mounts_only=False)
    assert [Path(r.target).name for r in results] == ["usb-a", "usb-b"]
    assert all(r.verified for r in results)


def test_watch_writes_sticks_as_they_are_mounted(dist: dict[str, Path], tmp_path: Path) -> None:
    require_fuse()
    media = tmp_path / "media"
    (media / "empty-folder").mkdir(parents=True)  # never mounted: never written
    images = [make_image(tmp_path / f"stick{i}.img", 64) for i in range(2)]

    def plug() -> None:
        for index, image in enumerate(images):
            time.sleep(0.7)
            mount(image, media / f"usb{index}")

    plugger = threading.Thread(target=plug)
    plugger.start()
    try:
        results = write_all(load_image(dist["v1"]), [], watch=media, watch_seconds=4, poll=0.2)
        plugger.join()
        assert [Path(r.target).name for r in results] == ["usb0", "usb1"]
        assert all(r.verified for r in results)
        assert os.listdir(media / "empty-folder") == []
        assert run("verify", str(media / "usb1"))[0] == 0
    finally:
        plugger.join()
        for index in range(2):
            unmount(media / f"usb{index}")


def test_progress_events_per_target(dist: dict[str, Path], tmp_path: Path) -> None:
    events = []
    (tmp_path / "t").mkdir()
    result = write_target(load_image(dist["v1"]), tmp_path / "t", on_event=events.append)
    assert result.verified
    assert events[0].phase == "plan" and events[-1].phase == "done"
    assert events[-1].done == events[-1].total


def test_ctrl_c_leaves_targets_incomplete_and_exits_130(tmp_path: Path) -> None:
    big = synthetic_package(tmp_path / "p" / "big-event", files=30, size=1_000_000)
    with fat_sticks(tmp_path, 2) as sticks:
        process = _start_write(big, *sticks)
        _wait_for_files(sticks[0], 3)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 130, out
        assert "Interrupted" in out and "run the same command again" in out
        for stick in sticks:
            assert run("verify", str(stick))[0] == 6
        code, out = run("write", str(big), *map(str, sticks))
        assert code == 0, out


def test_write_help_and_usage() -> None:
    code, out = run("write", "--help")
    assert code == 0 and "--watch" in out and "--report" in out and "--force" in out


def test_file_of_4_gib_is_refused_on_fat32(tmp_path: Path) -> None:
    package = synthetic_package(tmp_path / "p" / "big-event", files=1, size=1000)
    huge = package / "KOLIBRI_DATA/content/storage/a/b/ab.mp4"
    huge.parent.mkdir(parents=True, exist_ok=True)
    with huge.open("wb") as handle:  # sparse: no 4 GiB on this disk
        handle.truncate(4 * 1024**3)
    sums = package / "SHA256SUMS"
    sums.write_text(sums.read_text() + f"{'0' * 64}  {huge.relative_to(package).as_posix()}\n")
    with fat_sticks(tmp_path, 1) as (stick,):
        code, out = run("write", str(package), str(stick))
        assert code == 7 and "4 GiB or more cannot be stored on FAT32" in out, out


def test_one_stick_named_twice_is_written_once(dist: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "usb"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    results = write_all(load_image(dist["v1"]), [target, tmp_path / "link", target])
    assert [r.target for r in results] == [str(target)] and results[0].verified
