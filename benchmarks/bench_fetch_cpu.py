"""CPU seconds of ``oerpack fetch`` for one large file served by nginx on 127.0.0.1, against
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
    parser.add_argument("--mb", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oerpack-bench-"))
    try:
        root = work / "www"
        root.mkdir()
        sha256 = write_file(root / "big.mp4", args.mb * 1024 * 1024, 7)
        with nginx(root, work / "nginx") as base:
            url = f"{base}/big.mp4"
            manifest = write_manifest(
                work / "m.yaml", [{"id": "big", "url": url, "sha256": sha256}]
            )
            for _ in range(args.repeat):
                shutil.rmtree(work / "aria", ignore_errors=True)
                aria = child_cpu(["aria2c", "-q", "-d", str(work / "aria"), url])
                file = work / "aria" / "big.mp4"
                sha, md5 = hash_cpu(file, "sha256"), hash_cpu(file, "md5")
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
                    f"{args.mb} MiB: floor {floor:.2f} s CPU (aria2c {aria:.2f} + sha256 {sha:.2f} "
                    f"+ md5 {md5:.2f}); oerpack fetch {ours:.2f} s CPU; ratio {ours / floor:.2f}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
