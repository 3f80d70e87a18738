"""Pure matching of a manifest's sources to the links of its event page.

An item is matched to the page entry whose title reads most like the item's title (any of
its languages; the section's title breaks ties), one entry per item, best pairs first. Within
the entry a source takes the link whose label equals its ``label`` (``Eng``, or the concept
note's full link text), else the link whose label names the source's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..models import Item, Manifest, Section, Source
from .links import PageLink
from .model import EventPage, PageEntry, label_key, label_language

MIN_TITLE_SCORE = 0.6


@dataclass(frozen=True, slots=True)
class Resolution:
    """Per source key the link found for it, or why none was; links no source claims."""

    links: tuple[tuple[str, PageLink], ...]
    misses: tuple[tuple[str, str], ...]
    unclaimed: tuple[tuple[PageEntry, PageLink], ...]
    #: Sources with a ``url`` of their own whose label the page now links elsewhere.
    elsewhere: tuple[tuple[str, PageLink], ...] = ()

    def url(self, key: str) -> str | None:
        found = dict(self.links).get(key)
        return found.url if found else None

    def moved_to(self, key: str) -> PageLink | None:
        return dict(self.elsewhere).get(key)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold().replace("\u2019", "'")).split())


def similarity(a: str, b: str) -> float:
    a, b = _words(a), _words(b)
    if not a or not b:
        return 0.0
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


def _item_score(item: Item, section: Section | None, entry: PageEntry, page: EventPage) -> float:
    title = max(similarity(value, entry.title) for _, value in item.title.values)
    if title < MIN_TITLE_SCORE:
        return 0.0
    page_section = page.sections[entry.section].title if entry.section is not None else None
    if section is None or page_section is None:
        context = 1.0 if section is None and page_section is None else 0.0
    else:
        context = max(similarity(v, page_section) for _, v in section.title.values)
    return title + 0.1 * context


def match_items(manifest: Manifest, page: EventPage) -> dict[str, PageEntry]:
    """Item id → its page entry, assigning the best-scoring pairs first."""
    placed: list[tuple[Item, Section | None]] = [(item, None) for item in manifest.items]
    placed += [(item, section) for section in manifest.sections for item in section.items]
    pairs = sorted(
        (
            (score, i, j)
            for i, (item, section) in enumerate(placed)
            for j, entry in enumerate(page.entries)
            if (score := _item_score(item, section, entry, page)) > 0
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    chosen: dict[str, PageEntry] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        item = placed[i][0]
        if item.id not in chosen and j not in used:
            chosen[item.id] = page.entries[j]
            used.add(j)
    return chosen


def match_source(source: Source, links: list[PageLink]) -> PageLink | None:
    """The link labelled as the source says, else the one in the source's language."""
    if source.label:
        wanted = label_key(source.label)
        exact = [link for link in links if label_key(link.text) == wanted]
        if len(exact) == 1:
            return exact[0]
    same_lang = [link for link in links if label_language(link.text) == source.lang]
    return same_lang[0] if len(same_lang) == 1 else None


def resolve_sources(
    manifest: Manifest, page: EventPage, known_urls: frozenset[str] = frozenset()
) -> Resolution:
    """Find each source without a ``url`` or ``path`` on the page. ``known_urls`` (the
    manifest's and the lock's) count as claimed when listing links nobody claims."""
    entries = match_items(manifest, page)
    found: dict[str, PageLink] = {}
    misses: dict[str, str] = {}
    elsewhere: dict[str, PageLink] = {}
    for item in manifest.all_items():
        entry = entries.get(item.id)
        free = list(entry.links) if entry else []
        for source in item.sources:
            if source.url is not None and entry is not None:
                _claim_own_link(source, source.url, free, elsewhere)
            if source.url is not None or source.path is not None:
                continue
            link = match_source(source, free) if entry else None
            if link is None:
                misses[source.key] = (
                    f"no link labelled {source.label or source.lang!r} under {entry.title!r}"
                    if entry
                    else f"no entry on the page reads like {item.title.get('en')!r}"
                )
                continue
            free.remove(link)
            found[source.key] = link
    claimed = {link.url for link in (*found.values(), *elsewhere.values())} | known_urls
    unclaimed = tuple((entry, link) for entry, link in page.links() if link.url not in claimed)
    return Resolution(
        links=tuple(sorted(found.items())),
        misses=tuple(sorted(misses.items())),
        unclaimed=unclaimed,
        elsewhere=tuple(sorted(elsewhere.items())),
    )


def _claim_own_link(
    source: Source, url: str, free: list[PageLink], elsewhere: dict[str, PageLink]
) -> None:
    """A source with its own ``url`` takes its link under the item's entry; when the link
    its label names points elsewhere now (the file was renamed), that link is where it
    moved (reported ``moved``, not ``broken`` plus ``new``)."""
    same = [link for link in free if link.url == url]
    if same:
        free.remove(same[0])
        return
    link = match_source(source, free)
    if link is not None:
        free.remove(link)
        elsewhere[source.key] = link
