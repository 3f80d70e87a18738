"""How close ``oerpack discover``'s drafts come to hand-written manifests of real-shaped pages.

Each page in ``benchmarks/discover_pages/`` (``NAME.html``) has the manifest a careful
maintainer would draft from it (``NAME.yaml``; its first ``event.pages`` entry is the address
the page is read as). The vCASIE page is generated (``tests/support/eventpage.py``) and
scored against ``manifests/vcasie-2020.yaml`` with the addresses the generator links.

Items are paired by the source addresses they share. Measured per page:
- sources: an expected address drafted with the same ``via`` is found; the others are missed;
  drafted addresses that are not expected are extra;
- titles: an expected item whose paired draft item has exactly its title (page language);
- speakers: exact (name, role, organisation) triples; drafted ones not expected are wrong;
- dates: an expected section whose paired draft section has the same date, start and end.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

from oerpack.errors import ManifestError
from oerpack.eventpage.discover import draft_manifest
from oerpack.eventpage.labels import DOCUMENT_EXTS, is_video, link_ext
from oerpack.eventpage.links import parse_page
from oerpack.eventpage.model import read_event_page
from oerpack.manifest import load_manifest
from oerpack.models import Item, Manifest, Section, Source
from oerpack.platforms import YT_DLP, is_platform_recording
from tests.support.eventpage import default_paths, drupal_paths, vcasie_drupal_page, vcasie_page

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "benchmarks" / "discover_pages"
VCASIE = REPO / "manifests" / "vcasie-2020.yaml"
VCASIE_BASE = "https://bangkok.unesco.org"


@dataclass(slots=True)
class Score:
    """Counts for one page (or the sum of several)."""

    name: str
    found: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    titles: int = 0
    titles_total: int = 0
    speakers: int = 0
    speakers_total: int = 0
    dates: int = 0
    dates_total: int = 0
    todos: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def sources_total(self) -> int:
        return self.found + len(self.missed) + len(self.extra)

    def add(self, other: Score) -> None:
        self.found += other.found
        self.missed += other.missed
        self.extra += other.extra
        for name in ("titles", "speakers", "dates", "todos"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
            total = f"{name}_total"
            if hasattr(self, total):
                setattr(self, total, getattr(self, total) + getattr(other, total))
        self.wrong += other.wrong

    def ratios(self) -> dict[str, float]:
        def ratio(good: int, total: int) -> float:
            return good / total if total else 1.0

        return {
            "sources": ratio(self.found, self.sources_total),
            "titles": ratio(self.titles, self.titles_total),
            "speakers": ratio(self.speakers, self.speakers_total),
            "dates": ratio(self.dates, self.dates_total),
        }


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    html: str
    url: str
    expected: Manifest


def cases() -> Iterator[Case]:
    """Every page of the set with its expected manifest."""
    for html in sorted(PAGES.glob("*.html")):
        expected = load_manifest(html.with_suffix(".yaml"))
        yield Case(html.stem, html.read_text(encoding="utf-8"), expected.event.pages[0], expected)
    vcasie = load_manifest(VCASIE)
    url = VCASIE_BASE + "/content/virtual-central-asia-symposium-ict-education-vcasie-2020"
    for name, page, paths in (
        ("vcasie-2020", vcasie_page, default_paths()),
        ("vcasie-2020-drupal", vcasie_drupal_page, drupal_paths()),
    ):
        urls = {key: urljoin(VCASIE_BASE, path) for key, path in paths.items()}
        yield Case(name, page(VCASIE_BASE, paths), url, _with_urls(vcasie, urls))


def _with_urls(manifest: Manifest, urls: dict[str, str]) -> Manifest:
    """The manifest with the addresses the page links, as a maintainer would add them (a
    recording's page on a platform with ``via: yt-dlp``)."""

    def source(each: Source) -> Source:
        url = urls.get(each.key, each.url)
        via = YT_DLP if url and is_platform_recording(url) else each.via
        return replace(each, url=url, via=via)

    def item(each: Item) -> Item:
        return replace(each, sources=tuple(source(s) for s in each.sources))

    return replace(
        manifest,
        items=tuple(item(i) for i in manifest.items),
        sections=tuple(
            replace(s, items=tuple(item(i) for i in s.items)) for s in manifest.sections
        ),
    )


def draft(case: Case) -> tuple[Manifest, str]:
    """The draft discover writes for the page, loaded as a manifest, and its text."""
    text = draft_manifest(read_event_page(parse_page(case.html, case.url)), case.url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case.name}.yaml"
        path.write_text(text, encoding="utf-8")
        return load_manifest(path), text


def _placed(manifest: Manifest) -> list[tuple[Item, Section | None]]:
    return [(i, None) for i in manifest.items] + [
        (i, s) for s in manifest.sections for i in s.items
    ]


def _urls(item: Item) -> set[str]:
    return {s.url for s in item.sources if s.url}


def _speakers(item: Item, lang: str) -> list[tuple[str | None, ...]]:
    return [
        (
            s.name.get(lang),
            s.role.get(lang) if s.role else None,
            s.organisation.get(lang) if s.organisation else None,
        )
        for s in item.speakers
    ]


def score(case: Case) -> Score:
    try:
        got, text = draft(case)
    except ManifestError as error:  # an invalid draft: every value needs a person
        got, text = replace(case.expected, items=(), sections=()), ""
        invalid = f"the draft does not validate: {error}"
    else:
        invalid = ""
    result = Score(case.name, todos=text.count("# TODO:"))
    result.wrong += [invalid] if invalid else []
    lang = case.expected.event.languages[0]
    want_sources = {s.url: s.via for s in case.expected.all_sources() if s.url}
    got_sources = {s.url: s.via for s in got.all_sources() if s.url}
    for url, via in want_sources.items():
        if url in got_sources and got_sources[url] == via:
            result.found += 1
        else:
            result.missed.append(url + ("" if url not in got_sources else f" (via {via})"))
    result.extra = sorted(url for url in got_sources if url not in want_sources)
    drafted = _placed(got)
    pairs: dict[str, tuple[Item, Section | None]] = {}
    for item, _ in _placed(case.expected):
        best = max(drafted, key=lambda d: len(_urls(d[0]) & _urls(item)), default=None)
        if best is not None and _urls(best[0]) & _urls(item):
            pairs[item.id] = best
        result.titles_total += 1
        mine = pairs.get(item.id)
        title = mine[0].title.get(lang) if mine else None
        if title == item.title.get(lang):
            result.titles += 1
        else:
            result.wrong.append(f"title {item.title.get(lang)!r}: drafted {title!r}")
        want = _speakers(item, lang)
        have = _speakers(mine[0], lang) if mine else []
        right = [s for s in want if s in have]
        result.speakers += len(right)
        result.speakers_total += len(want) + sum(1 for s in have if s not in want)
        if right != want or len(have) != len(want):
            result.wrong.append(f"speakers of {item.id}: want {want}, drafted {have}")
    for section in case.expected.sections:
        result.dates_total += 1
        mine_sections = {pairs[i.id][1] for i in section.items if i.id in pairs} - {None}
        when = (section.date, section.start, section.end)
        got_when = [(s.date, s.start, s.end) for s in mine_sections if s is not None]
        if got_when == [when]:
            result.dates += 1
        else:
            result.wrong.append(f"date of {section.id}: want {when}, drafted {got_when}")
    return result


def score_all() -> tuple[list[Score], Score]:
    scores = [score(case) for case in cases()]
    total = Score("total")
    for each in scores:
        total.add(each)
    return scores, total


@dataclass(frozen=True, slots=True)
class Sweep:
    """A page without a hand-written manifest: does the draft validate, and which of the
    page's links to files or recordings did it leave out."""

    name: str
    error: str | None
    links: int
    sources: int
    left_out: tuple[str, ...]


def sweep(html_path: Path, url: str = "https://event.example.org/page/") -> Sweep:
    html = html_path.read_text(encoding="utf-8", errors="replace")
    hrefs = {urljoin(url, h.split("#")[0]) for h in re.findall(r"href=[\"']([^\"']+)", html)}
    wanted = {h for h in hrefs if link_ext(h) in DOCUMENT_EXTS or is_video(h)}
    text = draft_manifest(read_event_page(parse_page(html, url)), url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            got = {s.url for s in load_manifest(path).all_sources() if s.url}
        except ManifestError as error:
            return Sweep(html_path.stem, str(error), len(wanted), 0, tuple(sorted(wanted)))
    return Sweep(html_path.stem, None, len(wanted), len(got), tuple(sorted(wanted - got)))
