"""An unchanged rebuild keeps the package folder, and planning stays linear in the number
of items (the lookups used once per file or item do not scan every file)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from oerpack.build import build_package
from oerpack.lock import read_lock
from oerpack.manifest import load_manifest
from oerpack.media.derive import MediaOptions
from oerpack.models import Lock
from oerpack.package.freshness import package_is_current, recorded_inputs
from oerpack.plan import DerivedFile, plan_package
from tests.support.fetching import fast_settings, write_manifest

PLAIN = MediaOptions(page_images=False, thumbnails=False)


class CountingTuple(tuple):  # type: ignore[type-arg]
    """A tuple that counts how often it is walked from the start."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        CountingTuple.walks += 1
        return super().__iter__()


def local_event(folder: Path, items: int) -> Path:
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    for n in range(items):
        (files / f"n{n}.txt").write_text(f"note {n}\n", encoding="utf-8")
    return write_manifest(
        folder / "event.yaml",
        [{"id": f"note-{n}", "path": f"files/n{n}.txt"} for n in range(items)],
    )


def test_lookups_per_file_and_item_do_not_walk_the_plan(tmp_path: Path) -> None:
    manifest_path = local_event(tmp_path, 30)
    build_package(manifest_path, tmp_path / "out", fast_settings(tmp_path / "cache"), media=PLAIN)
    manifest = load_manifest(manifest_path)
    lock = read_lock(manifest_path.with_name("event.yaml.lock.json"))
    plan = plan_package(manifest, lock)
    derived = [
        DerivedFile(
            of=f.key,
            role="thumbnail",
            dest=f"t/{f.key}.png",
            sha256="0" * 64,
            md5="0" * 32,
            size=1,
            ext="png",
        )
        for f in plan.files
    ]
    plan = replace(plan, files=CountingTuple(plan.files), derived=CountingTuple(derived))
    lock = Lock(sources=CountingTuple(lock.sources))
    CountingTuple.walks = 0
    for item in manifest.all_items():
        (package_file,) = plan.files_of(item)
        assert plan.file_for(package_file.key) == package_file
        assert plan.derived_of(package_file.key, "thumbnail")[0].of == package_file.key
        assert plan.derived_of(package_file.key, "page") == ()
        assert lock.get(package_file.key) is not None
    assert CountingTuple.walks == 0


def test_an_unchanged_rebuild_keeps_the_folder(tmp_path: Path) -> None:
    manifest = local_event(tmp_path, 3)
    settings = fast_settings(tmp_path / "cache")
    first = build_package(manifest, tmp_path / "out", settings, media=PLAIN)
    folder = first.package.folder
    inode = (folder / "index.html").stat().st_ino
    inputs = recorded_inputs(folder)
    assert inputs and first.package.reassembled

    again = build_package(manifest, tmp_path / "out", settings, media=PLAIN)
    assert not again.package.reassembled and again.package.zip_reused
    assert (folder / "index.html").stat().st_ino == inode
    assert again.package.files == first.package.files
    assert again.package.channel_nodes == first.package.channel_nodes

    # A changed title changes the inputs: the folder is assembled again.
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("Network test", "Renamed"), "utf-8"
    )
    renamed = build_package(manifest, tmp_path / "out", settings, media=PLAIN)
    assert renamed.package.reassembled and recorded_inputs(folder) != inputs
    assert "Renamed" in (folder / "index.html").read_text(encoding="utf-8")


def test_a_folder_missing_a_file_is_assembled_again(tmp_path: Path) -> None:
    manifest = local_event(tmp_path, 2)
    settings = fast_settings(tmp_path / "cache")
    first = build_package(manifest, tmp_path / "out", settings, media=PLAIN)
    folder = first.package.folder
    inputs = recorded_inputs(folder)
    assert inputs is not None and package_is_current(folder, inputs)
    assert not package_is_current(folder, "0" * 64)
    (folder / "README.txt").unlink()
    assert not package_is_current(folder, inputs)
    (folder / "stray.txt").write_text("x", encoding="utf-8")
    again = build_package(manifest, tmp_path / "out", settings, media=PLAIN)
    assert again.package.reassembled
    assert (folder / "README.txt").is_file() and not (folder / "stray.txt").exists()
    record = json.loads((folder / "oerpack.json").read_text(encoding="utf-8"))
    assert record["build"]["inputs"] == inputs
