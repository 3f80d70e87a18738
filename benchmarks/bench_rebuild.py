"""A rebuild with nothing changed: how its time grows with the number of items.

Each size gets a generated event of N items, each with one tiny local ``path:`` PDF (made by
copying one small PDF with a distinct trailing comment). The first build of each size is not
timed; the rebuild after it is (best of ``--repeat``). Then the vCASIE-shaped 34-source event
of ``bench_build.py`` (small files, served on 127.0.0.1) is built once and rebuilt.

    python benchmarks/bench_rebuild.py [--sizes 1000,2000,4000,10000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_build import corpus
from oerpack.build import build_package
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.support.media import make_pdf
from tests.support.server import FaultServer

#: Page images and thumbnails cost a render per PDF on the first build only; the rebuild
#: takes them from the cache, so they are kept on: the rebuild then carries two derived
#: files per item, as a real event's does.
MEDIA = MediaOptions(page_images=True, thumbnails=True)


def event(folder: Path, items: int) -> Path:
    """A manifest of ``items`` items with one local PDF each."""
    files = folder / "files"
    files.mkdir(parents=True)
    pdf = make_pdf(folder / "seed.pdf", ["Доклад"]).read_bytes()
    rows = []
    for n in range(items):
        name = f"i{n:05d}.pdf"
        (files / name).write_bytes(pdf + f"%{n}\n".encode())
        rows.append(
            {
                "id": f"item-{n:05d}",
                "kind": "document",
                "title": {"en": f"Item {n}", "ru": f"Документ {n}"},
                "sources": [{"lang": "en", "path": f"files/{name}"}],
            }
        )
    manifest = {
        "oerpack": 1,
        "event": {
            "id": "rebuild-bench",
            "title": {"en": "Rebuild bench"},
            "languages": ["en", "ru"],
            "publisher": "Bench",
            "license": "CC BY 4.0",
        },
        "items": rows,
    }
    path = folder / "manifest.yaml"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The shortest wall time of ``repeat`` runs."""
    return min(timed(action) for _ in range(repeat))[0]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU of this process: the machine may be shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def curve(scratch: Path, sizes: list[int], repeat: int, settings: Settings) -> None:
    print(f"{'items':>6} {'first build':>12} {'rebuild (wall)':>15} {'rebuild (CPU)':>14} kept")
    for size in sizes:
        folder = scratch / f"n{size}"
        manifest = event(folder, size)
        kept: list[bool] = []

        def build(
            manifest: Path = manifest, folder: Path = folder, kept: list[bool] = kept
        ) -> None:
            outcome = build_package(manifest, folder / "dist", settings, media=MEDIA)
            kept.append(not outcome.package.reassembled)

        first, _ = timed(build)
        wall, cpu = min(timed(build) for _ in range(repeat))
        print(f"{size:>6} {first:>10.1f} s {wall:>13.2f} s {cpu:>12.2f} s {all(kept[1:])}")


def vcasie(scratch: Path, repeat: int) -> None:
    with FaultServer() as server:
        manifest = corpus(server, scratch, 2, 1)
        settings = Settings(cache_dir=scratch / "cache-vcasie", backoff=0)

        def build() -> object:
            return build_package(manifest, scratch / "dist-vcasie", settings)

        first, _ = timed(build)
        wall, cpu_in = min(timed(build) for _ in range(repeat))
        command = [sys.executable, "-m", "oerpack", "-q", "build", str(manifest)]
        command += ["--out", str(scratch / "dist-vcasie"), "--cache-dir", str(settings.cache_dir)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli = best_of(
            repeat, lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / repeat
    print(
        f"34-source vCASIE-shaped event: first build {first:.1f} s; rebuild in-process "
        f"{wall:.3f} s wall, {cpu_in:.3f} s CPU; as 'oerpack build' (a new process, "
        f"imports included) {cli:.3f} s wall, {cpu:.3f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,10000")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="oerpack-bench-") as tmp:
        scratch = Path(tmp)
        vcasie(scratch, args.repeat)
        curve(scratch, sizes, args.repeat, Settings(cache_dir=scratch / "cache", backoff=0))


if __name__ == "__main__":
    main()
