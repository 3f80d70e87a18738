"""How many edits ``oerpack discover``'s drafts need on real-shaped event pages.

For every page in ``benchmarks/discover_pages/`` (origins in its SOURCES.md) and the vCASIE
page, drafts a manifest and compares it with the one written by hand: sources found / missed /
extra (address and ``via`` exactly right), titles, speakers (name, role, organisation) and
section dates and times exactly right, and the ``# TODO:`` lines the draft leaves. Prints one
row per page, the totals, and with ``-v`` every difference.

    .venv/bin/python benchmarks/bench_discover.py [-v] [--sweep DIR]

``--sweep DIR`` also drafts every ``*.html`` in DIR (pages whose licence keeps them out of
this repository, e.g. a local clone of an event site) and prints, per page, whether the draft
validates and which of the page's links to files or recordings it left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, for tests.support

from tests.support.discover_accuracy import Score, score_all, sweep


def _pct(good: int, total: int) -> str:
    return f"{good}/{total} ({100 * good / total:.0f}%)" if total else "-"


def _row(score: Score) -> str:
    sources = f"{score.found}/{len(score.missed)}/{len(score.extra)}"
    return (
        f"{score.name:<20} {sources:>12} {_pct(score.found, score.sources_total):>15} "
        f"{_pct(score.titles, score.titles_total):>13} "
        f"{_pct(score.speakers, score.speakers_total):>14} "
        f"{_pct(score.dates, score.dates_total):>12} {score.todos:>5}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every difference")
    parser.add_argument("--sweep", type=Path, metavar="DIR", help="also draft DIR/*.html")
    args = parser.parse_args()
    scores, total = score_all()
    print(
        f"{'page':<20} {'found/miss/x':>12} {'sources':>15} {'titles':>13} "
        f"{'speakers':>14} {'dates':>12} {'TODOs':>5}"
    )
    for each in scores:
        print(_row(each))
        if args.verbose:
            for line in [
                *(f"missed: {u}" for u in each.missed),
                *(f"extra: {u}" for u in each.extra),
                *each.wrong,
            ]:
                print(f"    {line}")
    print(_row(total))
    ratios = total.ratios()
    print("accuracy: " + ", ".join(f"{name} {100 * r:.1f}%" for name, r in ratios.items()))
    if args.sweep:
        _sweep(args.sweep, verbose=args.verbose)
    return 0 if min(ratios.values()) >= 0.9 else 1


def _sweep(folder: Path, *, verbose: bool) -> None:
    results = [sweep(page) for page in sorted(folder.glob("*.html"))]
    print(f"\nsweep of {folder}")
    print(f"{'page':<28} {'valid':>5} {'links':>6} {'sources':>8} {'left out':>9}")
    for r in results:
        valid = "no" if r.error else "yes"
        print(f"{r.name:<28} {valid:>5} {r.links:>6} {r.sources:>8} {len(r.left_out):>9}")
        for line in (*r.left_out, *([r.error] if r.error else [])) if verbose else ():
            print(f"    {line}")
    print(
        f"pages {len(results)}, drafts valid {sum(1 for r in results if not r.error)}, "
        f"links to files/recordings {sum(r.links for r in results)}, "
        f"left out {sum(len(r.left_out) for r in results)}"
    )


if __name__ == "__main__":
    sys.exit(main())
