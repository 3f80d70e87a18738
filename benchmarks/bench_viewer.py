"""Open time and search latency of the offline viewer in headless Chromium (file://).

Generates a package viewer for N synthetic items (PDF-like text per file, every fifth item
a video) with ``render_viewer``, opens ``index.html`` from file:// in Debian's chromium via
Playwright, and prints: render time in Python (the search index is built there), index.html
and search-data sizes, then at normal speed and with the CPU slowed down (CDP
``Emulation.setCPUThrottlingRate``, default 4x: an old laptop) first contentful paint,
DOMContentLoaded, load, "search ready" (the prebuilt index parsed, Snowball loaded) and
search latency (median / p95 over English and Russian queries, results rendered).

    .venv/bin/python benchmarks/bench_viewer.py [--items 1000] [--text-chars 2000] [--slow 4]
"""

# Russian queries are Cyrillic on purpose.

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, for tests.support

from playwright.sync_api import sync_playwright

from oerpack.layout import SEARCH_DATA, SEARCH_DATA_NAME
from oerpack.viewer import render_viewer
from tests.support.viewer_data import synthetic_plan

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERIES = [
    "education",
    "teach",
    "rural schools",
    "digital skills",
    "platform",
    "talk 500",
    "образование",
    "учит",
    "сельские школы",
    "цифровые навыки",
    "докладчик 7",
    "ресурс",
    "speaker",
    "nothingmatchesthis",
    "пандемия",
    "webinar",
    "запись вебинара 2",
    "видео",
    "презентация",
    "recording",
]


def _open_once(page: object, url: str) -> dict[str, float]:
    page.goto(url)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    # Polled from Python: wait_for_function evaluates a string, which the page's CSP forbids.
    ready = "() => !!(window.oerpackViewer && window.oerpackViewer.ready()"
    ready += " && window.oerpackViewer.stemmer())"
    while not page.evaluate(ready):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise TimeoutError("the search index was not ready within 120 s")
        time.sleep(0.02)
    return page.evaluate("""() => {  // type: ignore[attr-defined]
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {load: nav.loadEventEnd, dcl: nav.domContentLoadedEventEnd,
              fcp: fcp ? fcp.startTime : -1, ready: window.oerpackViewer.readyAt(),
              nodes: document.getElementsByTagName('*').length};
    }""")


def _latencies(page: object, rounds: int) -> tuple[list[float], dict[str, int]]:
    times: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for query in QUERIES:
            result = page.evaluate(
                """(q) => {  // type: ignore[attr-defined]
              const t0 = performance.now(); const n = window.oerpackViewer.search(q);
              document.body.offsetHeight;  // include the layout of the result list
              return [performance.now() - t0, n];
            }""",
                query,
            )
            times.append(result[0])
            counts[query] = result[1]
    return times, counts


def _report(label: str, opens: list[dict[str, float]], times: list[float]) -> None:
    print(f"-- {label}")
    for key, name in (
        ("fcp", "first contentful paint"),
        ("dcl", "DOMContentLoaded"),
        ("load", "load event"),
        ("ready", "search ready (prebuilt index parsed, nothing indexed in the browser)"),
    ):
        values = [o[key] for o in opens]
        print(
            f"{name}: median {statistics.median(values):.0f} ms (runs: "
            + ", ".join(f"{v:.0f}" for v in values)
            + ")"
        )
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"search latency over {len(times)} searches: median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument(
        "--text-chars",
        type=int,
        default=2000,
        help="characters of PDF text per file (two files per item)",
    )
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slow", type=float, default=4.0, help="CPU slowdown for the 2nd run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oerpack-bench-") as tmp:
        out = Path(tmp) / "pkg"
        out.mkdir()
        plan, media = synthetic_plan(args.items, text_chars=args.text_chars)
        started = time.perf_counter()
        render_viewer(plan, media, out)
        render_s = time.perf_counter() - started
        html_kb = (out / "index.html").stat().st_size / 1000
        data_kb = (out / SEARCH_DATA).stat().st_size / 1000
        print(
            f"items: {args.items} ({len(plan.files)} files, {args.text_chars} chars of text each)"
        )
        print(f"render_viewer (with the search index): {render_s * 1000:.0f} ms")
        print(f"index.html: {html_kb:.0f} KB; {SEARCH_DATA_NAME}: {data_kb:.0f} KB")
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"),
                executable_path=CHROMIUM,
                args=FLAGS,
                headless=True,
                viewport={"width": 1280, "height": 900},
            )
            external: list[str] = []
            runs = []
            for rate in (1.0, args.slow):
                page = context.new_page()
                page.on(
                    "request",
                    lambda r: None if r.url.startswith("file:") else external.append(r.url),
                )
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                url = (out / "index.html").as_uri()
                opens = [_open_once(page, url) for _ in range(args.opens)]
                times, counts = _latencies(page, args.rounds)
                runs.append(
                    (
                        rate,
                        opens,
                        times,
                        counts,
                        page.evaluate("() => document.getElementsByTagName('*').length"),
                    )
                )
                page.close()
            context.close()
    for rate, opens, times, _counts, _nodes in runs:
        _report(f"CPU {rate:g}x" + (" (slowed down)" if rate > 1 else ""), opens, times)
    print(f"DOM elements: {runs[0][4]}")
    listed = ", ".join(f"{q!r}={n}" for q, n in runs[0][3].items())
    print(f"results listed per query (at most 50): {listed}")
    print(f"requests outside file://: {len(external)}")


if __name__ == "__main__":
    main()
