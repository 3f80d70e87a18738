"""Real FAT32 "sticks" for tests: an image made by mkfs.vfat, mounted read-write with fusefat
(the kernel here has no vfat module), unmounted with fusermount; and packages built from the
test corpus (v1, v2 with one changed PDF, a second event)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.corpus import write_corpus
from tests.support.media import make_pdf

FAT_TOOLS = ("mkfs.vfat", "fusefat", "fusermount", "mcopy", "mtype")


def require_fuse() -> None:
    """Skip only when FUSE itself is missing; missing tools are a broken setup."""
    if not Path("/dev/fuse").exists():
        pytest.skip("/dev/fuse is missing: FAT32 images cannot be mounted here")
    missing = [t for t in FAT_TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/setup-test-env.sh")


def make_image(path: Path, megabytes: int = 64) -> Path:
    subprocess.run(
        [
            "mkfs.vfat",
            "-F",
            "32",
            "-n",
            path.stem[:11].upper(),
            "-C",
            str(path),
            str(megabytes * 1024),
        ],
        check=True,
        capture_output=True,
    )
    return path


def mount(image: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["fusefat", "-o", "rw+", str(image), str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if os.path.ismount(folder):
            return
        time.sleep(0.1)
    raise AssertionError(f"{folder} did not mount")


def unmount(folder: Path) -> None:
    if os.path.ismount(folder):
        subprocess.run(["fusermount", "-u", "-z", str(folder)], check=False, capture_output=True)
        for _ in range(50):
            if not os.path.ismount(folder):
                return
            time.sleep(0.1)


@contextmanager
def fat_sticks(folder: Path, count: int, megabytes: int = 64) -> Iterator[list[Path]]:
    """``count`` FAT32 images mounted under ``folder``; unmounted afterwards."""
    require_fuse()
    mounts = []
    try:
        for index in range(count):
            image = make_image(folder / f"stick{index}.img", megabytes)
            mounts.append(folder / f"usb{index}")
            mount(image, mounts[-1])
        yield mounts
    finally:
        for point in mounts:
            unmount(point)


def image_of(mount_point: Path) -> Path:
    return mount_point.parent / f"stick{mount_point.name.removeprefix('usb')}.img"


def second_event(folder: Path) -> Path:
    """Another event with the same media (so Kolibri files are shared on a stick)."""
    manifest = write_corpus(folder)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["event"]["id"] = "kz-webinars-2"
    data["event"]["title"] = {"en": "Second webinars", "ru": "Вторые вебинары"}
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return manifest


def change_guide(manifest: Path) -> None:
    """What a maintainer does for a changed file: new bytes, the pin forgotten."""
    make_pdf(manifest.parent / "media/guide-ru.pdf", ["Исправленный текст"])
    lock = manifest.with_name(manifest.name + ".lock.json")
    data = json.loads(lock.read_text(encoding="utf-8"))
    del data["sources"]["guide.ru"]
    lock.write_text(json.dumps(data), encoding="utf-8")


def synthetic_package(
    folder: Path, *, files: int = 30, size: int = 1_000_000, seed: int = 1
) -> Path:
    """A finished package of ``files`` random media files (big enough to interrupt)."""
    import hashlib
    import random

    rng = random.Random(seed)
    sums = {}
    folder.mkdir(parents=True)
    for _ in range(files):
        data = rng.randbytes(size)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        name = f"KOLIBRI_DATA/content/storage/{md5[0]}/{md5[1]}/{md5}.mp4"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    record = {"channel": {"id": "0" * 31 + str(seed), "version": 1}, "event": None}
    for name, text in (
        ("index.html", "<!DOCTYPE html><title>big</title>"),
        ("oerpack.json", json.dumps(record)),
    ):
        (folder / name).write_text(text, encoding="utf-8")
        sums[name] = hashlib.sha256(text.encode()).hexdigest()
    (folder / "SHA256SUMS").write_text(
        "".join(f"{sums[n]}  {n}\n" for n in sorted(sums)), encoding="utf-8"
    )
    return folder
