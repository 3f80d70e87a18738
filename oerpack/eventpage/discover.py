"""Draft a manifest from an event page: headings become sections, lines with file links
become items, the links their sources. The draft is YAML for a person to review."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from ..fetch import get_page
from ..settings import Settings
from .links import parse_page
from .model import DraftSpeaker, EventPage, PageEntry, label_language, read_event_page

MAX_ID_WORDS = 6
PUBLISHER_TODO = "TODO: who publishes this material"


def discover(url: str, settings: Settings) -> str:
    """Fetch the event page at ``url`` and return a draft manifest for it."""
    fetched = get_page(url, settings)
    page = read_event_page(
        parse_page(fetched.content, fetched.final_url, encoding=fetched.encoding)
    )
    return draft_manifest(page, url)


def slug(text: str, fallback: str) -> str:
    """A manifest id from a title: ascii words joined by '-', at most a few words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:MAX_ID_WORDS]
    return "-".join(words)[:48].strip("-") or fallback


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


class _Ids:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, text: str, fallback: str) -> str:
        base = slug(text, fallback)
        candidate, n = base, 1
        while candidate in self.seen:
            n += 1
            candidate = f"{base[:44]}-{n}"
        self.seen.add(candidate)
        return candidate


def _languages(page: EventPage) -> list[str]:
    found = [page.lang or "en"]
    for _, link in page.links():
        lang = label_language(link.text)
        if lang and lang not in found:
            found.append(lang)
    return found


def _speaker(speaker: DraftSpeaker) -> str:
    fields = [f"name: {_q(speaker.name)}"]
    fields += [f"role: {_q(speaker.role)}"] if speaker.role else []
    fields += [f"organisation: {_q(speaker.organisation)}"] if speaker.organisation else []
    return "{" + ", ".join(fields) + "}"


def _item(entry: PageEntry, ids: _Ids, lang: str, indent: str) -> Iterable[str]:
    yield f"{indent}- id: {ids.take(entry.title, f'item-{len(ids.seen) + 1}')}"
    yield f"{indent}  title: {{{lang}: {_q(entry.title)}}}"
    yield f"{indent}  kind: {entry.kind}"
    if entry.group:
        yield f"{indent}  group: {{{lang}: {_q(entry.group)}}}"
    if entry.speakers:
        yield f"{indent}  speakers:"
        yield from (f"{indent}    - {_speaker(s)}" for s in entry.speakers)
    yield f"{indent}  sources:"
    used: dict[str, int] = {}
    for link in entry.links:
        source_lang = label_language(link.text) or lang
        used[source_lang] = used.get(source_lang, 0) + 1
        source_id = "" if used[source_lang] == 1 else f", id: {source_lang}-{used[source_lang]}"
        yield (
            f"{indent}    - {{lang: {source_lang}{source_id}, label: {_q(link.text)}, "
            f"url: {_q(link.url)}}}"
        )


def draft_manifest(page: EventPage, url: str) -> str:
    """The manifest text for ``page``; every title is in the page's language."""
    langs = _languages(page)
    lang = langs[0]
    ids = _Ids()
    lines = [
        f"# Drafted by 'oerpack discover' from {url}",
        "# Review it: titles, speakers, kinds, the publisher and the licence; add the",
        "# other languages' titles; then run 'oerpack validate' and 'oerpack refresh'.",
        "oerpack: 1",
        "event:",
        f"  id: {ids.take(page.title, 'event')}",
        f"  title: {{{lang}: {_q(page.title or url)}}}",
    ]
    if page.description:
        lines.append(f"  description: {{{lang}: {_q(chr(10).join(page.description))}}}")
    lines += [
        f"  languages: [{', '.join(langs)}]",
        f"  publisher: {_q(PUBLISHER_TODO)}",
        "  license: not-stated",
        f"  pages: [{_q(url)}]",
    ]
    if page.contacts:
        lines.append(f"  contacts: [{', '.join(_q(c) for c in page.contacts)}]")
    top = [e for e in page.entries if e.section is None]
    if top:
        lines.append("items:")
        for entry in top:
            lines.extend(_item(entry, ids, lang, "  "))
    sections = [
        (i, s) for i, s in enumerate(page.sections) if any(e.section == i for e in page.entries)
    ]
    if sections:
        lines.append("sections:")
    for index, section in sections:
        lines.append(f"  - id: {ids.take(section.title.split(':')[0], f'section-{index + 1}')}")
        lines.append(f"    title: {{{lang}: {_q(section.title)}}}")
        if section.date:
            lines.append(f"    date: {section.date.isoformat()}")
        lines += [
            f"    {k}: {_q(v)}" for k, v in (("start", section.start), ("end", section.end)) if v
        ]
        if section.organiser:
            lines.append(f"    organiser: {{{lang}: {_q(section.organiser)}}}")
        if section.description:
            lines.append(f"    description: {{{lang}: {_q(chr(10).join(section.description))}}}")
        lines.append("    items:")
        for entry in page.entries:
            if entry.section == index:
                lines.extend(_item(entry, ids, lang, "      "))
    return "\n".join(lines) + "\n"
