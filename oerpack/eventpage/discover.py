"""Draft a manifest from an event page: headings become sections, lines with file links
become items, the links their sources. The draft is YAML for a person to review; what it
could not decide is written as ``# TODO:`` lines beside the values concerned."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from anyascii import anyascii

from ..drafts import TODO
from ..fetch import get_page
from ..platforms import YT_DLP, is_platform_recording
from ..settings import Settings
from ..yamlnodes import strip_controls
from .links import PageLink, parse_page
from .model import DraftSpeaker, EventPage, PageEntry, is_video, label_language, read_event_page

MAX_ID_WORDS = 6
MAX_ID_CHARS = 48
PUBLISHER_TODO = f"{TODO} who publishes this material"


def discover(url: str, settings: Settings) -> str:
    """Fetch the event page at ``url`` and return a draft manifest for it."""
    fetched = get_page(url, settings)
    page = read_event_page(
        parse_page(fetched.content, fetched.final_url, encoding=fetched.encoding)
    )
    return draft_manifest(page, url)


def slug(text: str, fallback: str) -> str:
    """A manifest id from a title: its words transliterated to ASCII (Cyrillic too), joined
    by '-', at most a few words and never cut inside one."""
    words = re.findall(r"[a-z0-9]+", anyascii(text).lower().replace("'", ""))
    taken: list[str] = []
    for word in words[:MAX_ID_WORDS]:
        if len("-".join([*taken, word])) > MAX_ID_CHARS:
            break
        taken.append(word)
    if not taken and words:
        taken = [words[0][:MAX_ID_CHARS]]
    return "-".join(taken) or fallback


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML once the control characters
    JSON leaves alone, DEL and C1, are gone: YAML does not allow them in a file)."""
    return json.dumps(strip_controls(value).strip(), ensure_ascii=False)


def _id(value: str) -> str:
    """An id as YAML: quoted when YAML would read it as a number ("42")."""
    return _q(value) if value.isdigit() else value


def _todo(indent: str, text: str) -> str:
    return f"{indent}# {TODO} {text}"


class _Ids:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def take(self, text: str, fallback: str) -> str:
        base = slug(text, fallback)
        candidate, n = base, 1
        while candidate in self.seen:
            n += 1
            candidate = f"{slug(text, fallback)[: MAX_ID_CHARS - 4].rstrip('-')}-{n}"
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


def _source_ids(links: tuple[PageLink, ...], lang: str) -> list[tuple[str, str | None]]:
    """Each link's language and, where two share one, an id: recordings are 'video'."""
    langs = [label_language(link.text) or lang for link in links]
    ids: list[tuple[str, str | None]] = []
    used: set[str] = set()
    for link, source_lang in zip(links, langs, strict=True):
        shared = langs.count(source_lang) > 1
        wanted = "video" if shared and is_video(link.url) else source_lang
        source_id, n = wanted, 1
        while source_id in used:
            n += 1
            source_id = f"{wanted}-{n}"
        used.add(source_id)
        ids.append((source_lang, None if source_id == source_lang else source_id))
    return ids


def _item(entry: PageEntry, ids: _Ids, lang: str, indent: str) -> Iterable[str]:
    yield from (_todo(indent, note) for note in entry.notes)
    yield f"{indent}- id: {_id(ids.take(entry.title, f'item-{len(ids.seen) + 1}'))}"
    yield f"{indent}  title: {{{lang}: {_q(entry.title)}}}"
    yield f"{indent}  kind: {entry.kind}"
    if entry.group:
        yield f"{indent}  group: {{{lang}: {_q(entry.group)}}}"
    if entry.description:
        yield f"{indent}  description: {{{lang}: {_q(entry.description)}}}"
    if entry.speakers:
        yield f"{indent}  speakers:"
        yield from (f"{indent}    - {_speaker(s)}" for s in entry.speakers)
    yield f"{indent}  sources:"
    for link, (source_lang, source_id) in zip(
        entry.links, _source_ids(entry.links, lang), strict=True
    ):
        fields = [f"lang: {source_lang}"]
        fields += [f"id: {source_id}"] if source_id else []
        fields += [f"label: {_q(link.text)}", f"url: {_q(link.url)}"]
        fields += [f"via: {YT_DLP}"] if is_platform_recording(link.url) else []
        yield f"{indent}    - {{{', '.join(fields)}}}"


def _header(page: EventPage, url: str, langs: list[str]) -> list[str]:
    lines = [
        f"# Drafted by 'oerpack discover' from {url}",
        "# Review it: titles, speakers, kinds, the publisher and the licence; then run",
        "# 'oerpack validate' and 'oerpack refresh'. Lines starting '# TODO:' need a person.",
    ]
    if len(langs) > 1:
        others = ", ".join(langs[1:])
        lines.append(_todo("", f"titles are in {langs[0]} only: add the {others} ones."))
    lines.append(_todo("", "add a web-archive copy of the page after it under event.pages."))
    if not page.entries:
        lines.append(_todo("", "no links to files or recordings found on the page: add items."))
    lines += [_todo("", note) for note in page.notes]
    return lines


def draft_manifest(page: EventPage, url: str) -> str:
    """The manifest text for ``page``; every title is in the page's language."""
    langs = _languages(page)
    lang = langs[0]
    ids = _Ids()
    lines = [
        *_header(page, url, langs),
        "oerpack: 1",
        "event:",
        f"  id: {_id(ids.take(page.title, 'event'))}",
        f"  title: {{{lang}: {_q(page.title or url)}}}",
    ]
    if page.subtitle:
        lines.append(f"  subtitle: {{{lang}: {_q(page.subtitle)}}}")
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
        if section.date is None:
            lines.append(_todo("  ", "no date found for this section on the page."))
        short = re.split(r":|\.\s", section.title, maxsplit=1)[0]
        lines.append(f"  - id: {_id(ids.take(short, f'section-{index + 1}'))}")
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
