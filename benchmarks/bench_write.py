"""``oerpack write`` to 1, 2 and 4 targets at once vs ``cp -r`` + ``sha256sum -c`` done one
target after another; and the bytes an update writes.

Targets are FAT32 images (``mkfs.vfat -F 32``) mounted with fusefat (``--fs fat``, the
default; the kernel here has no vfat module) or plain folders (``--fs dir``). The package is
a synthetic finished package of ``--files`` random media files of ``--file-mb`` MB. Each run
is a fresh process; peak RSS is its ru_maxrss. ``sha256sum -c`` right after ``cp`` reads
the page cache, not the stick: it is the hand check a ministry does today, not a read-back.

    python benchmarks/bench_write.py [--files 20] [--file-mb 5] [--fs fat|dir] [--counts 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.sticks import make_image, mount, synthetic_package, unmount

WRITE = [sys.executable, "-c", "from oerpack.cli import main; main()", "-q", "write"]


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, exit status and peak RSS (MB) of one command, measured by GNU time
    (a child's ru_maxrss on Linux would include the forked benchmark process itself)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.monotonic() - started
        kilobytes = int(Path(rss.name).read_text().split()[-1])
    return seconds, result.returncode, kilobytes // 1024


class Targets:
    def __init__(self, scratch: Path, fs: str, megabytes: int) -> None:
        self.scratch, self.fs, self.megabytes = scratch, fs, megabytes
        self.mounted: list[Path] = []
        self.made = 0

    def fresh(self, count: int) -> list[Path]:
        paths = []
        for _ in range(count):
            self.made += 1
            folder = self.scratch / f"usb{self.made}"
            if self.fs == "fat":
                mount(make_image(self.scratch / f"stick{self.made}.img", self.megabytes), folder)
                self.mounted.append(folder)
            else:
                folder.mkdir()
            paths.append(folder)
        return paths

    def close(self) -> None:
        for folder in self.mounted:
            unmount(folder)
        for image in self.scratch.glob("stick*.img"):
            image.unlink()


def bench_oerpack(package: Path, targets: list[Path], report: Path) -> dict[str, float]:
    seconds, code, rss = timed([*WRITE, str(package), *map(str, targets), "--report", str(report)])
    rows = json.loads(report.read_text())
    assert code == 0 and all(r["verified"] for r in rows), rows
    return {"seconds": seconds, "rss_mb": rss, "methods": rows[0]["readback"]}  # type: ignore[dict-item]


def bench_cp(package: Path, targets: list[Path]) -> dict[str, float]:
    total, rss = 0.0, 0
    for target in targets:
        seconds, code, peak = timed(["cp", "-r", f"{package}/.", str(target)])
        assert code == 0
        check, code, peak2 = timed(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=target)
        assert code == 0
        total += seconds + check
        rss = max(rss, peak, peak2)
    return {"seconds": total, "rss_mb": rss}


def bench_update(scratch: Path, targets: Targets, files: int, size: int) -> dict[str, int]:
    """v1 then v2 with a tenth of the files changed, to the same target."""
    v1 = synthetic_package(scratch / "v1" / "event", files=files, size=size, seed=1)
    v2 = scratch / "v2" / "event"
    shutil.copytree(v1, v2)
    changed = synthetic_package(
        scratch / "changes" / "event", files=max(1, files // 10), size=size, seed=2
    )
    sums = (v1 / "SHA256SUMS").read_text().splitlines()
    old = [line for line in sums if ".mp4" in line][: max(1, files // 10)]
    for line in old:
        (v2 / line.split("  ", 1)[1]).unlink()
    new_sums = [
        line
        for line in sums
        if line not in old and "oerpack.json" not in line and "index.html" not in line
    ]
    for line in (changed / "SHA256SUMS").read_text().splitlines():
        name = line.split("  ", 1)[1]
        if name.endswith(".mp4"):
            (v2 / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(changed / name, v2 / name)
            new_sums.append(line)
    for name in ("index.html", "oerpack.json"):
        new_sums.append(next(x for x in sums if x.endswith("  " + name)))
    (v2 / "SHA256SUMS").write_text(
        "".join(f"{x}\n" for x in sorted(new_sums, key=lambda x: x.split("  ")[1]))
    )
    (target,) = targets.fresh(1)
    bench_oerpack(v1, [target], scratch / "u1.json")
    bench_oerpack(v2, [target], scratch / "u2.json")
    row = json.loads((scratch / "u2.json").read_text())[0]
    return {
        "update_written": row["bytes_written"],
        "full": row["full_bytes"],
        "deleted": row["files_deleted"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--file-mb", type=float, default=5.0)
    parser.add_argument("--fs", choices=("fat", "dir"), default="fat")
    parser.add_argument("--counts", default="1,2,4")
    args = parser.parse_args()
    size = int(args.file_mb * 1_000_000)
    counts = [int(c) for c in args.counts.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="bench-write-"))
    package_mb = args.files * size / 1e6
    targets = Targets(scratch, args.fs, megabytes=max(64, int(package_mb * 1.3) + 40))
    try:
        package = synthetic_package(scratch / "dist" / "event", files=args.files, size=size)
        print(
            f"package: {args.files} files, {package_mb:.0f} MB; "
            f"targets: {args.fs} ({os.cpu_count()} cores)"
        )
        print(
            f"{'targets':>7}  {'tool':28} {'total s':>8} {'MB/s per target':>16} "
            f"{'peak RSS MB':>12}"
        )
        for count in counts:
            ours = bench_oerpack(package, targets.fresh(count), scratch / f"r{count}.json")
            theirs = bench_cp(package, targets.fresh(count))
            for name, row in (
                ("oerpack write (+read-back)", ours),
                ("cp -r + sha256sum -c, serial", theirs),
            ):
                # at once: each target gets the package in the total time; serial: in its share
                rate = package_mb / row["seconds"] * (1 if name.startswith("oerpack") else count)
                print(
                    f"{count:>7}  {name:28} {row['seconds']:8.1f} {rate:16.1f} {row['rss_mb']:12}"
                )
            print(f"{'':>7}  read-back: {ours['methods']}")
        update = bench_update(scratch, targets, args.files, size)
        print(
            f"update (1 in 10 files changed): wrote {update['update_written'] / 1e6:.1f} MB of "
            f"{update['full'] / 1e6:.1f} MB for a full write "
            f"({100 * update['update_written'] / update['full']:.0f} %), "
            f"{update['deleted']} file(s) deleted"
        )
    finally:
        targets.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
