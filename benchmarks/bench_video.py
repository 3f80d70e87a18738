"""Encode time per minute of video and size per hour for each video profile, beside the
time the --fit plan estimates (VideoProfile.encode_factor).

Generates a 720p test video (ffmpeg testsrc2 + noise, so the encoder has detail to
work on; real lectures with slides usually compress better), encodes it with every
profile and prints the figures. Usage: python benchmarks/bench_video.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from oerpack.media.profiles import PROFILES
from oerpack.media.video import transcode


def make_source(path: Path, seconds: int) -> None:
    subprocess.run([
        "ffmpeg", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
        "-vf", "noise=alls=8:allf=t,format=yuv420p", "-c:v", "libx264", "-preset", "veryfast",
        "-crf", "20", "-c:a", "aac", "-b:a", "128k", str(path),
    ], check=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oerpack-bench-") as scratch:
        source = Path(scratch) / "source.mp4"
        make_source(source, args.seconds)
        per_hour = 3600 / args.seconds
        print(
            f"source: {args.seconds} s 1280x720, {source.stat().st_size / 1e6:.1f} MB "
            f"({source.stat().st_size * per_hour / 1e6:.0f} MB/hour)"
        )
        print(
            f"{'profile':<10} {'encode s/min':>13} {'planned s/min':>14} {'MB/hour':>9} "
            f"{'cap MB/hour':>11}"
        )
        for profile in PROFILES:
            out = Path(scratch) / f"{profile.name}.mp4"
            start = time.perf_counter()
            transcode(source, out, profile, seconds=args.seconds)
            elapsed = time.perf_counter() - start
            print(
                f"{profile.name:<10} {elapsed * 60 / args.seconds:>13.1f} "
                f"{profile.encode_factor * 60:>14.1f} "
                f"{out.stat().st_size * per_hour / 1e6:>9.0f} "
                f"{profile.max_bytes(3600) / 1e6:>11.0f}"
            )


if __name__ == "__main__":
    main()
