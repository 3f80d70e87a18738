"""Benchmark: oerpack fetch against wget, curl --parallel and aria2c on a vCASIE-shaped
corpus served by nginx on 127.0.0.1; then one multi-GB file to show flat memory.

    python benchmarks/bench_fetch.py                 # ~1.2 GB corpus + a 3 GB file
    python benchmarks/bench_fetch.py --scale 0.1 --big-gb 1   # a quick run

Needs Debian's nginx-light, wget, curl, aria2 and /usr/bin/time (scripts/setup-test-env.sh).
Prints wall time, throughput and peak RSS per tool (best of --repeat runs, with the load
average, as the machine may be shared) and each one's ratio to the fastest. oerpack also
computes sha256 and md5 of every byte in the same pass and verifies the pinned checksums;
"curl+sha256sum+md5sum" does that work the usual way (download, then read everything again),
and the "hash-only throughput" line shows how fast this machine can hash at all, the
ceiling for any tool that checksums what it downloads.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support.fetching import write_manifest  # noqa: E402
from tests.support.server import MP4_HEAD, PDF_HEAD  # noqa: E402

#: Downloads check a file's first bytes against its type, so the bodies start like one.
HEADS = {".pdf": PDF_HEAD, ".mp4": MP4_HEAD}

NGINX = "/usr/sbin/nginx"
TIME = "/usr/bin/time"
MB = 1_000_000
BLOCK = 1 << 20
TIMEOUT_S = 900


def corpus_sizes(scale: float, rng: random.Random) -> list[tuple[str, int]]:
    """28 PDFs of 0.5-8 MB and 6 videos of 50-300 MB, like vCASIE's 34 sources."""
    pdfs = [(f"doc{n:02d}.pdf", int(rng.uniform(0.5, 8) * MB * scale)) for n in range(28)]
    videos = [(f"rec{n}.mp4", int(rng.uniform(50, 300) * MB * scale)) for n in range(6)]
    return pdfs + videos


def write_file(path: Path, size: int, seed: int) -> str:
    """Incompressible-looking bytes (a random block, rotated per MiB); returns sha256."""
    base = random.Random(seed).randbytes(BLOCK)
    head = HEADS.get(path.suffix, b"")
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for index in range(0, size, BLOCK):
            turn = (index // BLOCK * 7919) % BLOCK
            chunk = (base[turn:] + base[:turn])[: min(BLOCK, size - index)]
            if index == 0:
                chunk = (head + chunk[len(head) :])[: len(chunk)]
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def nginx(root: Path, work: Path) -> Iterator[str]:
    """nginx serving ``root`` on 127.0.0.1 with its own config, in the foreground."""
    port = free_port()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        f"""
daemon off; master_process off; worker_processes 1;
pid {work}/nginx.pid; error_log {work}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 10000;
  client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp;
  fastcgi_temp_path {work}/tmp; uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
  types {{ application/pdf pdf; video/mp4 mp4; }}
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nginx did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``cmd`` under /usr/bin/time -v: (wall seconds, peak RSS in MB). Dirty pages are
    flushed first, so no tool pays for the write-back of another's files."""
    os.sync()
    started = time.monotonic()
    done = subprocess.run(
        [TIME, "-v", *cmd], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, int(rss.group(1)) / 1000 if rss else float("nan")


def tool_commands(
    base: str, names: list[str], out: Path, work: Path, manifest: Path, jobs: int
) -> dict[str, list[str]]:
    """Every tool writes every byte to files under ``out`` (same filesystem); oerpack into
    ``.part`` files in its cache, renamed into place once verified."""
    urls = [f"{base}/{name}" for name in names]
    (work / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    oerpack = [
        sys.executable,
        "-m",
        "oerpack.cli",
        "-q",
        "fetch",
        str(manifest),
        "--cache-dir",
        str(out / "cache"),
        "--jobs",
        str(jobs),
        "--per-host",
        str(jobs),
    ]
    curl = [
        "curl",
        "-sS",
        "--fail",
        "--parallel",
        "--parallel-max",
        str(jobs),
        "--output-dir",
        str(out),
        "--remote-name-all",
        *urls,
    ]
    files = " ".join(shlex.quote(str(out / name)) for name in names)
    return {
        "oerpack": oerpack,
        "wget": ["wget", "-q", "-i", str(work / "urls.txt"), "-P", str(out)],
        "curl --parallel": curl,
        "aria2c": [
            "aria2c",
            "-q",
            "-i",
            str(work / "urls.txt"),
            "-d",
            str(out),
            "-j",
            str(jobs),
            "-x",
            "1",
            "--file-allocation=none",
            "--allow-overwrite=true",
        ],
        # What oerpack does in one pass, done the usual way: download, then read it all
        # again for both checksums (two processes, one per core).
        "curl+sha256sum+md5sum": [
            "sh",
            "-c",
            f"{shlex.join(curl)} && "
            f"{{ sha256sum {files} >/dev/null & md5sum {files} >/dev/null"
            "; wait; }",
        ],
    }


def downloaded(out: Path) -> int:
    """Bytes the tool put in ``out`` (for oerpack: the verified blobs in its cache)."""
    blobs = out / "cache" / "blobs"
    files = blobs.rglob("*") if blobs.is_dir() else out.iterdir()
    return sum(p.stat().st_size for p in files if p.is_file() and p.suffix != ".json")


def generate(root: Path, scale: float) -> list[dict[str, Any]]:
    rng = random.Random(2020)
    root.mkdir()
    files = corpus_sizes(scale, rng)
    print(f"Generating {len(files)} files ...", flush=True)
    return [
        {
            "id": name.split(".")[0],
            "name": name,
            "size": size,
            "sha256": write_file(root / name, size, seed=n),
        }
        for n, (name, size) in enumerate(files)
    ]


def best_run(
    tool: str, cmd: list[str], out: Path, manifest: Path, total: int, repeat: int
) -> tuple[float, float]:
    """The fastest of ``repeat`` fresh runs (the machine may be shared): (wall, peak RSS)."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        manifest.with_name("bench.yaml.lock.json").unlink(missing_ok=True)
        runs.append(timed(cmd, REPO))
        got = downloaded(out)
        if got != total:
            raise SystemExit(f"{tool}: downloaded {got} bytes, expected {total}")
    shutil.rmtree(out, ignore_errors=True)
    return min(runs)


def run_corpus(args: argparse.Namespace, work: Path) -> None:
    root = work / "www"
    sources = generate(root, args.scale)
    total = sum(s["size"] for s in sources)
    print(
        f"Corpus: {len(sources)} files, {total / MB:,.0f} MB; jobs={args.jobs}; best of "
        f"{args.repeat} runs; {load()}",
        flush=True,
    )
    with nginx(root, work / "nginx") as base:
        manifest = write_manifest(
            work / "m" / "bench.yaml",
            [
                {
                    "id": s["id"],
                    "url": f"{base}/{s['name']}",
                    "sha256": s["sha256"],
                    "size": s["size"],
                }
                for s in sources
            ],
        )
        commands = tool_commands(
            base, [s["name"] for s in sources], work / "out", work, manifest, args.jobs
        )
        rows = [
            (tool, *best_run(tool, cmd, work / "out", manifest, total, args.repeat))
            for tool, cmd in commands.items()
        ]
    print_rows(rows, total)
    print_ceiling(root, [s["name"] for s in sources], total)
    print(f"Finished; {load()}")


def print_rows(rows: list[tuple[str, float, float]], total: int) -> None:
    fastest = min(wall for tool, wall, _ in rows if tool != "oerpack")
    print(f"\n{'tool':<24}{'wall s':>8}{'MB/s':>8}{'peak RSS MB':>13}{'/ fastest':>11}")
    for tool, wall, rss in rows:
        print(f"{tool:<24}{wall:>8.2f}{total / MB / wall:>8.0f}{rss:>13.1f}{wall / fastest:>11.2f}")
    oer = next(wall for tool, wall, _ in rows if tool == "oerpack")
    print(
        f"oerpack time / fastest other tool: {oer / fastest:.2f} (oerpack also hashes "
        "sha256+md5 of every byte in the same pass and verifies every file)"
    )
    startup = min(timed([sys.executable, "-m", "oerpack.cli", "--help"], REPO)[0] for _ in range(3))
    print(f"oerpack start-up (oerpack --help): {startup:.2f} s of that")


def print_ceiling(root: Path, names: list[str], total: int) -> None:
    """How fast this machine can hash at all: both digests of the corpus from page cache."""

    def digest(name: str, algorithm: str) -> None:
        with (root / name).open("rb") as handle:
            hashlib.file_digest(handle, algorithm)

    started = time.monotonic()
    for name in names:
        digest(name, "sha256")
        digest(name, "md5")
    one = time.monotonic() - started
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(digest, names * 2, ["sha256"] * len(names) + ["md5"] * len(names)))
    two = time.monotonic() - started
    print(
        f"hash-only throughput (sha256+md5 from page cache, no network, no writes): "
        f"{total / MB / one:,.0f} MB/s on one thread, {total / MB / two:,.0f} MB/s on two "
        f"({os.cpu_count()} CPUs)"
    )


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run_big(args: argparse.Namespace, work: Path) -> None:
    root = work / "big"
    root.mkdir()
    size = int(args.big_gb * 1000 * MB)
    path = root / "webinar.mp4"
    with path.open("wb") as out:  # sparse: nginx serves zeros, oerpack still hashes them
        out.truncate(size)
        out.write(MP4_HEAD)
    digest = hashlib.sha256()
    zeros = bytes(BLOCK)
    for offset in range(0, size, BLOCK):
        chunk = zeros[: min(BLOCK, size - offset)]
        digest.update((MP4_HEAD + chunk[len(MP4_HEAD) :]) if offset == 0 else chunk)
    with nginx(root, work / "nginx-big") as base:
        manifest = write_manifest(
            work / "mb" / "big.yaml",
            [
                {
                    "id": "webinar",
                    "url": f"{base}/webinar.mp4",
                    "sha256": digest.hexdigest(),
                    "size": size,
                }
            ],
        )
        cmd = [
            sys.executable,
            "-m",
            "oerpack.cli",
            "-q",
            "fetch",
            str(manifest),
            "--cache-dir",
            str(work / "bigcache"),
        ]
        wall, rss = timed(cmd, REPO)
        shutil.rmtree(work / "bigcache", ignore_errors=True)
        curl_wall, _ = timed(
            ["curl", "-sS", "--fail", "-o", str(work / "big.out"), f"{base}/webinar.mp4"], REPO
        )
        (work / "big.out").unlink()
    print(
        f"\nOne {size / MB:,.0f} MB file: oerpack {wall:.1f} s, {size / MB / wall:,.0f} MB/s, "
        f"peak RSS {rss:.1f} MB (limit 150 MB); curl alone {curl_wall:.1f} s; {load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size factor")
    parser.add_argument(
        "--big-gb",
        type=float,
        default=3.0,
        help="size of the single big file in GB (0 skips that run)",
    )
    parser.add_argument("--jobs", type=int, default=4, help="parallel downloads per tool")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per tool; the fastest counts (the machine may be shared)",
    )
    args = parser.parse_args()
    for tool in (NGINX, TIME, "wget", "curl", "aria2c", "sha256sum", "md5sum"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/setup-test-env.sh")
    with tempfile.TemporaryDirectory(prefix="oerpack-bench-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        run_corpus(args, work)
        if args.big_gb > 0:
            run_big(args, work)


if __name__ == "__main__":
    main()
