"""CPU seconds of ``oerpack fetch`` for one large file (or several) served by nginx on 127.0.0.1, vs
the floor: receiving it as aria2c does plus hashing it with sha256 and md5 (what oerpack
computes while the bytes arrive; hashlib's speed on this machine).

    python benchmarks/bench_fetch_cpu.py [--mb 400] [--repeat 2]

CPU (user + system, all threads) says more than wall time on a shared machine. oerpack's
figure includes starting Python and importing its modules (about 0.3 s).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_fetch import nginx, write_file
from tests.support.fetching import write_manifest


def child_cpu(cmd: list[str]) -> float:
    """User + system seconds of ``cmd`` and its threads."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def hash_cpu(path: Path, algorithm: str) -> float:
    digest = hashlib.new(algorithm)
    started = time.process_time()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=400, help="MiB in all")
    parser.add_argument("--files", type=int, default=1, help="split over this many files")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oerpack-bench-"))
    try:
        root = work / "www"
        root.mkdir()
        size = args.mb * 1024 * 1024 // args.files
        names = [f"f{n:03d}.mp4" for n in range(args.files)]
        pins = {name: write_file(root / name, size, 7 + n) for n, name in enumerate(names)}
        with nginx(root, work / "nginx") as base:
            sources = [
                {"id": f"f{n:03d}", "url": f"{base}/{name}", "sha256": pins[name]}
                for n, name in enumerate(names)
            ]
            manifest = write_manifest(work / "m.yaml", sources)
            urls = work / "urls.txt"
            urls.write_text("".join(f"{base}/{name}\n" for name in names), encoding="utf-8")
            for _ in range(args.repeat):
                shutil.rmtree(work / "aria", ignore_errors=True)
                aria = child_cpu(
                    ["aria2c", "-q", "-j", "4", "-d", str(work / "aria"), "-i", str(urls)]
                )
                sha = sum(hash_cpu(work / "aria" / name, "sha256") for name in names)
                md5 = sum(hash_cpu(work / "aria" / name, "md5") for name in names)
                shutil.rmtree(work / "cache", ignore_errors=True)
                cache = str(work / "cache")
                ours = child_cpu(
                    [
                        sys.executable,
                        "-m",
                        "oerpack",
                        "-q",
                        "fetch",
                        str(manifest),
                        "--cache-dir",
                        cache,
                    ]
                )
                floor = aria + sha + md5
                print(
                    f"{args.mb} MiB in {args.files} file(s): floor {floor:.2f} s CPU (aria2c "
                    f"{aria:.2f} + sha256 {sha:.2f} + md5 {md5:.2f}); oerpack fetch {ours:.2f} s "
                    f"CPU; ratio {ours / floor:.2f}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
