"""Channel versions: one content, one version; concurrent builds never collide (issue 16)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from oerpack.cache import Cache
from oerpack.lock import read_lock, write_lock
from oerpack.models import Lock
from oerpack.versions import assign_version, version_for, write_lock_keeping_versions


def _assign(lock_file: str, guard: str, content: str, barrier: object, out: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    assigned, _ = assign_version(Path(lock_file), Path(guard), content, Lock(), manifest_id="m")
    out.put((content, assigned.version))  # type: ignore[attr-defined]


def test_concurrent_builds_never_share_a_version(tmp_path: Path) -> None:
    lock_file = tmp_path / "m.yaml.lock.json"
    guard = Cache(tmp_path / "cache").guard_of(lock_file)
    contents = ["a", "b", "c", "d", "e", "f", "a", "b"]  # two builds of the same content each
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(contents))
    out = context.Queue()
    workers = [
        context.Process(target=_assign, args=(str(lock_file), str(guard), c, barrier, out))
        for c in contents
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    by_content: dict[str, set[int]] = {}
    for content, version in results:
        by_content.setdefault(content, set()).add(version)
    assert all(len(v) == 1 for v in by_content.values()), by_content  # same content, same number
    numbers = sorted(v for (v,) in by_content.values())
    assert numbers == [1, 2, 3, 4, 5, 6], by_content  # different content, different numbers
    table = dict(read_lock(lock_file).versions)
    assert {k: {v} for k, v in table.items()} == by_content  # no update lost


def test_a_fetch_written_meanwhile_keeps_the_versions(tmp_path: Path) -> None:
    lock_file = tmp_path / "m.yaml.lock.json"
    guard = tmp_path / "guard"
    stale = Lock()  # what a fetch read before a build gave version 1
    assign_version(lock_file, guard, "x:1", Lock(), manifest_id="m")
    write_lock_keeping_versions(lock_file, guard, stale, manifest_id="m")
    assert dict(read_lock(lock_file).versions) == {"x:1": 1}
    assigned, _ = assign_version(lock_file, guard, "y:2", stale, manifest_id="m")
    assert assigned.version == 2


def test_going_back_to_earlier_content_gives_its_version_and_says_so(tmp_path: Path) -> None:
    one, lock = version_for(Lock(), "original")
    two, lock = version_for(lock, "lite")
    back, lock = version_for(lock, "original")
    assert (one.version, two.version, back.version) == (1, 2, 1)
    assert back.older and back.highest == 2 and not two.older
    path = tmp_path / "m.lock.json"
    write_lock(path, lock, manifest_id="m")
    assert read_lock(path) == lock
