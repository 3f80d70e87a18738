"""The ZIM next to the zip: time to write each and their sizes, on the demo and on a generated
vCASIE-sized event (38 items: 24 presentations as multi-page Russian/English PDFs and 14
recordings, each in en and ru, as local files; no network).

Each event is built once to warm the caches (not timed), then built again into a fresh folder
with the zip and the ZIM; the times are taken from the build's own steps (``writing the zip``
to ``writing the ZIM``, and from there to the end), so both writers see the same warm input.

    python benchmarks/bench_zim.py [--video-mb 10] [--runs 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from oerpack.build import build_package
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.conftest import copy_demo
from tests.support.media import make_pdf
from tests.support.server import pattern_body

PRESENTATIONS = 24
RECORDINGS = 14
PAGE_RU = (
    "Цифровые технологии в образовании: дистанционное обучение, открытые ресурсы, "
    "подготовка учителей и оценка результатов. "
) * 12
PAGE_EN = (
    "Digital technology in education: distance learning, open resources, teacher "
    "preparation and assessment of results. "
) * 12


def vcasie_sized(folder: Path, video_mb: int) -> Path:
    files = folder / "files"
    items = []
    for n in range(PRESENTATIONS):
        sources = []
        for lang, text in (("en", PAGE_EN), ("ru", PAGE_RU)):
            name = f"talk{n}-{lang}.pdf"
            make_pdf(files / name, [f"{n} {text}"] * 8)
            sources.append({"lang": lang, "path": f"files/{name}"})
        items.append(
            {
                "id": f"talk-{n}",
                "kind": "presentation",
                "title": {"en": f"Presentation {n}", "ru": f"Доклад {n}"},
                "sources": sources,
            }
        )
    for n in range(RECORDINGS):
        sources = []
        for seed, lang in enumerate(("en", "ru"), start=2 * n + 1):
            name = f"rec{n}-{lang}.mp4"
            body = pattern_body(video_mb * 1_000_000, seed=seed)
            (files / name).write_bytes(body(0, video_mb * 1_000_000))
            sources.append({"lang": lang, "path": f"files/{name}"})
        items.append(
            {
                "id": f"rec-{n}",
                "kind": "recording",
                "title": {"en": f"Recording {n}", "ru": f"Запись {n}"},
                "sources": sources,
            }
        )
    manifest = {
        "oerpack": 1,
        "event": {
            "id": "vcasie-sized",
            "title": {"en": "vCASIE-sized bench", "ru": "Тест размера vCASIE"},
            "languages": ["en", "ru"],
            "publisher": "Bench",
            "license": "not-stated",
        },
        "sections": [{"id": "all", "title": {"en": "Webinars", "ru": "Вебинары"}, "items": items}],
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return path


def timed_build(manifest: Path, out: Path, cache: Path, media: MediaOptions) -> dict[str, float]:
    marks: dict[str, float] = {}

    def step(message: str) -> None:
        marks.setdefault(message, time.perf_counter())

    settings = Settings(cache_dir=cache, retries=0, backoff=0.0)
    start = time.perf_counter()
    outcome = build_package(manifest, out, settings, make_zim=True, on_step=step, media=media)
    end = time.perf_counter()
    assert outcome.zim is not None and outcome.package.zip_path is not None
    zip_start, zim_start = marks["writing the zip"], marks["writing the ZIM (Kiwix)"]
    return {
        "build": end - start,
        "zip_s": zim_start - zip_start,
        "zim_s": end - zim_start,
        "zip_mb": outcome.package.zip_path.stat().st_size / 1e6,
        "zim_mb": outcome.zim.size / 1e6,
    }


def bench(name: str, manifest: Path, work: Path, runs: int, media: MediaOptions) -> None:
    cache = work / "cache"
    build_package(
        manifest,
        work / "warm",
        Settings(cache_dir=cache, retries=0, backoff=0.0),
        make_zip=False,
        media=media,
    )
    shutil.rmtree(work / "warm")
    rows = []
    for run in range(runs):
        out = work / f"out{run}"
        rows.append(timed_build(manifest, out, cache, media))
        shutil.rmtree(out)
    best = {key: min(row[key] for row in rows) for key in ("zip_s", "zim_s", "build")}
    last = rows[-1]
    print(
        f"{name:<14} zip {best['zip_s']:6.2f} s {last['zip_mb']:8.1f} MB   "
        f"ZIM {best['zim_s']:6.2f} s {last['zim_mb']:8.1f} MB   "
        f"(whole build {best['build']:.2f} s; best of {runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video-mb", type=int, default=10, help="size of each recording")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-zim-") as scratch:
        root = Path(scratch)
        bench("demo", copy_demo(root / "demo"), root / "demo-work", args.runs, MediaOptions())
        manifest = vcasie_sized(root / "vcasie", args.video_mb)
        bench(
            f"vcasie-sized ({PRESENTATIONS + RECORDINGS} items, {args.video_mb} MB videos)",
            manifest,
            root / "vcasie-work",
            args.runs,
            MediaOptions(thumbnails=False),  # the recordings are pattern bytes, not video
        )


if __name__ == "__main__":
    main()
