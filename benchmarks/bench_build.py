"""Build from a warm cache vs. ``cp -r`` + ``zip -0 -r``, and an unchanged rebuild.

A vCASIE-shaped corpus (34 sources: concept note, three webinars with PDF/PPTX presentations
and MP4 recordings) is served by a FaultServer on 127.0.0.1 and fetched once (not timed).
Then, timed in the same run: a build from the warm cache into a fresh folder; ``cp -r`` of
the resulting package folder plus ``zip -0 -r`` of the copy; a rebuild with nothing changed.

    python benchmarks/bench_build.py [--video-mb 60] [--pptx-mb 8]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oerpack.build import build_package
from oerpack.settings import Settings
from tests.support.media import make_pdf
from tests.support.server import MP4_HEAD, FaultServer, pattern_body

# Per webinar: (presentations, recordings); sources come in en and ru.
WEBINARS = ((5, 2), (2, 2), (3, 2))


def corpus(server: FaultServer, scratch: Path, video_mb: int, pptx_mb: int) -> Path:
    pdf = make_pdf(scratch / "p.pdf", ["Concept note", "Концептуальная записка"] * 3)
    seed = 0

    def source(item: str, lang: str, ext: str) -> dict[str, str]:
        nonlocal seed
        seed += 1
        path = f"/{item}-{lang}.{ext}"
        if ext == "pdf":
            server.add(path, pdf.read_bytes() + f"%{seed}\n".encode())
        else:
            size = (video_mb if ext == "mp4" else pptx_mb) * 1_000_000
            head = MP4_HEAD if ext == "mp4" else b"PK\x03\x04"  # downloads check the type
            server.add(path, pattern_body(size, seed=seed, head=head))
        return {"lang": lang, "url": server.url(path)}

    sections = []
    for number, (talks, recordings) in enumerate(WEBINARS, start=1):
        items = []
        for t in range(talks):
            ext = "pptx" if t % 2 else "pdf"
            items.append(
                {
                    "id": f"w{number}-talk{t}",
                    "kind": "presentation",
                    "title": {"en": f"Talk {t}", "ru": f"Доклад {t}"},
                    "sources": [source(f"w{number}-talk{t}", lang, ext) for lang in ("en", "ru")],
                }
            )
        for r in range(recordings):
            items.append(
                {
                    "id": f"w{number}-rec{r}",
                    "kind": "recording",
                    "title": {"en": "Recording", "ru": "Запись"},
                    "sources": [source(f"w{number}-rec{r}", lang, "mp4") for lang in ("en", "ru")],
                }
            )
        sections.append(
            {"id": f"webinar-{number}", "title": {"en": f"Webinar {number}"}, "items": items}
        )
    manifest = {
        "oerpack": 1,
        "event": {
            "id": "vcasie-bench",
            "title": {"en": "vCASIE bench", "ru": "vCASIE тест"},
            "languages": ["en", "ru"],
            "publisher": "Bench",
            "license": "CC BY 4.0",
        },
        "items": [
            {
                "id": "concept-note",
                "kind": "document",
                "title": {"en": "Concept note"},
                "sources": [source("concept-note", lang, "pdf") for lang in ("en", "ru")],
            }
        ],
        "sections": sections,
    }
    path = scratch / "manifest.yaml"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


def timed(label: str, action: object) -> float:
    start = time.perf_counter()
    assert callable(action)
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video-mb", type=int, default=60)
    parser.add_argument("--pptx-mb", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oerpack-bench-") as tmp, FaultServer() as server:
        scratch = Path(tmp)
        manifest = corpus(server, scratch, args.video_mb, args.pptx_mb)
        settings = Settings(cache_dir=scratch / "cache", backoff=0)
        outcomes = []
        timed(
            "cold build (download + build)",
            lambda: outcomes.append(build_package(manifest, scratch / "cold", settings)),
        )
        cold = outcomes[0].package
        cold_zip = cold.zip_path.stat().st_size if cold.zip_path else 0
        print(
            f"corpus: {len(outcomes[0].fetched.report.results)} sources, package "
            f"{cold.bytes / 1e6:.0f} MB, {cold.files} files, zip {cold_zip / 1e6:.0f} MB"
        )
        shutil.rmtree(scratch / "cold")
        build = timed(
            "build from warm cache (folder + zip)",
            lambda: build_package(manifest, scratch / "warm", settings),
        )
        folder = scratch / "warm" / "vcasie-bench"
        warm_zip = scratch / "warm" / "vcasie-bench.zip"
        assert warm_zip.stat().st_size == cold_zip, "the warm build wrote the whole zip"

        def baseline() -> None:
            subprocess.run(["cp", "-r", str(folder), str(scratch / "copy")], check=True)
            subprocess.run(
                ["zip", "-q", "-0", "-r", str(scratch / "copy.zip"), "copy"],
                cwd=scratch,
                check=True,
            )

        base = timed("cp -r + zip -0 -r of the same files", baseline)
        rebuild = timed(
            "rebuild, nothing changed",
            lambda: outcomes.append(build_package(manifest, scratch / "warm", settings)),
        )
        print(
            f"rebuild: {outcomes[-1].package.linked} media hard-linked, zip kept: "
            f"{outcomes[-1].package.zip_reused}"
        )
        print(f"ratio build / (cp -r + zip -0 -r): {build / base:.2f}")
        print(f"ratio rebuild / build:            {rebuild / build:.2f}")


if __name__ == "__main__":
    main()
