"""Pure reading of an event page's blocks: sections, entries (title, speakers, links),
the language a link label names and the kind of file a link points to."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

from ..filetypes import MediaKind, exts_of
from .links import Block, PageLink, ParsedPage

# Labels a page uses for a language, casefolded, brackets and punctuation removed.
LANGUAGE_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("en", "eng", "english", "англ", "английский", "anglais", "inglés", "ingles"),
    "ru": ("ru", "rus", "russian", "рус", "русский", "russe", "ruso"),
    "fr": ("fr", "fre", "fra", "french", "français", "francais", "франц", "французский"),
    "es": ("es", "spa", "esp", "spanish", "español", "espanol", "испанский"),
    "ar": ("ar", "ara", "arabic", "العربية", "арабский"),
    "zh": ("zh", "chi", "zho", "chinese", "中文", "китайский"),
    "kk": ("kk", "kaz", "kazakh", "қазақша", "каз", "казахский"),
    "ky": ("ky", "kyr", "kyrgyz", "кыргызча", "кыргызский"),
    "uz": ("uz", "uzb", "uzbek", "o'zbek", "oʻzbek", "узб", "узбекский"),
    "tg": ("tg", "taj", "tajik", "тоҷикӣ", "таджикский"),
}
_LABEL_TO_LANG = {label: lang for lang, labels in LANGUAGE_LABELS.items() for label in labels}
DOCUMENT_EXTS = exts_of(
    MediaKind.DOCUMENT, MediaKind.OFFICE, MediaKind.SPREADSHEET, MediaKind.ARCHIVE
)
VIDEO_EXTS = exts_of(MediaKind.VIDEO, MediaKind.AUDIO)
VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_HONORIFIC = re.compile(r"^(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|H\.\s?E|Sir|Dame)\b\.?")
_SPEAKER_SPLIT = re.compile(r"\s*;\s*|\s+and\s+(?=(?:Mr|Mrs|Ms|Miss|Dr|Prof)\b)")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|[•·▪◦*–-])\s*")
_TRAILING_JUNK = " \t:;,(–-—"
_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_TIMES = re.compile(
    r"(\d{1,2}):(\d{2})\s*(am|pm)?\s*[-–]\s*(\d{1,2}):(\d{2})\s*(am|pm)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class DraftSpeaker:
    name: str
    role: str | None = None
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class PageEntry:
    """A line of the page that offers files: what a manifest calls an item."""

    title: str
    links: tuple[PageLink, ...]
    section: int | None = None
    group: str | None = None
    speakers: tuple[DraftSpeaker, ...] = ()
    kind: str = "presentation"


@dataclass(frozen=True, slots=True)
class PageSection:
    title: str
    organiser: str | None = None
    date: date | None = None
    start: str | None = None
    end: str | None = None
    description: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventPage:
    url: str
    title: str
    lang: str | None
    sections: tuple[PageSection, ...]
    entries: tuple[PageEntry, ...]
    description: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    def links(self) -> tuple[tuple[PageEntry, PageLink], ...]:
        return tuple((entry, link) for entry in self.entries for link in entry.links)


def label_key(text: str) -> str:
    """A label as compared: casefolded, without brackets, punctuation or extra space."""
    cleaned = re.sub(r"[()\[\]{}.,:;!?\"'’«»]+", " ", text.casefold())
    return " ".join(cleaned.split())


def label_language(text: str) -> str | None:
    """The language a link label names: ``Eng`` → en, ``… (Russian)`` → ru, else None."""
    if lang := _LABEL_TO_LANG.get(label_key(text)):
        return lang
    tail = re.search(r"\(([^()]+)\)?\s*$", text)
    return _LABEL_TO_LANG.get(label_key(tail.group(1))) if tail else None


def link_ext(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_video(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return link_ext(url) in VIDEO_EXTS or any(
        host == h or host.endswith("." + h) for h in VIDEO_HOSTS
    )


def is_source_link(link: PageLink) -> bool:
    """A link to event material rather than to another page."""
    return (
        label_language(link.text) is not None
        or link_ext(link.url) in DOCUMENT_EXTS
        or is_video(link.url)
    )


def _split_trailing_parenthetical(text: str) -> tuple[str, str | None]:
    """``"Title (A (B), C)"`` → ``("Title", "A (B), C")``; brackets must balance."""
    text = text.rstrip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].rstrip(), text[index + 1 : -1].strip()
    return text, None


def parse_speakers(text: str) -> tuple[DraftSpeaker, ...]:
    speakers = []
    for part in _SPEAKER_SPLIT.split(text):
        fields = [f.strip() for f in part.split(",") if f.strip()]
        if not fields:
            continue
        speakers.append(
            DraftSpeaker(
                name=fields[0],
                role=", ".join(fields[1:-1]) or None,
                organisation=fields[-1] if len(fields) > 1 else None,
            )
        )
    return tuple(speakers)


def _clean(text: str) -> str:
    return _LEADING_NUMBER.sub("", text).strip().rstrip(_TRAILING_JUNK).strip()


def entry_title(block: Block, links: tuple[PageLink, ...]) -> tuple[str, tuple[DraftSpeaker, ...]]:
    """The title of a line offering files, and the speakers named at its end."""
    base = _clean(block.prefix)
    if not base and links:
        base, _ = _split_trailing_parenthetical(links[0].text)
        base = _clean(base)
    rest, inner = _split_trailing_parenthetical(base)
    if inner is not None and _HONORIFIC.match(inner):
        return _clean(rest), parse_speakers(inner)
    return base, ()


def _kind(title: str, links: tuple[PageLink, ...], section: int | None) -> str:
    if "recording" in title.casefold() or any(is_video(link.url) for link in links):
        return "recording"
    return "document" if section is None else "presentation"


def _section(block: Block, following: list[Block]) -> PageSection:
    title, organiser = _split_trailing_parenthetical(block.text)
    if organiser is not None and _HONORIFIC.match(organiser):
        title, organiser = block.text, None
    when = start = end = None
    description: list[str] = []
    for each in following:
        found = _DATE.search(each.text)
        if when is None and found:
            when = date(
                int(found.group(3)), MONTHS.index(found.group(2).lower()) + 1, int(found.group(1))
            )
            start, end = _times(each.text)
        else:
            description.append(each.text)
    return PageSection(
        title=_clean(title) or block.text,
        organiser=organiser,
        date=when,
        start=start,
        end=end,
        description=tuple(description),
    )


def _times(text: str) -> tuple[str | None, str | None]:
    found = _TIMES.search(text)
    if not found:
        return None, None

    def clock(hour: str, minute: str, half: str | None) -> str | None:
        h = int(hour) + (12 if half and half.lower() == "pm" and int(hour) < 12 else 0)
        return f"{h:02d}:{minute}" if h < 24 else None

    return clock(*found.group(1, 2, 3)), clock(*found.group(4, 5, 6))


def read_event_page(page: ParsedPage) -> EventPage:
    """Sections from headings, entries from lines with source links, groups from list nesting."""
    headings = [b for b in page.blocks if b.kind == "heading"]
    title_block = next((b for b in headings if b.level == 1), None)
    levels = [b.level for b in headings if b is not title_block]
    section_level = min(levels) if levels else None
    sections: list[PageSection] = []
    entries: list[PageEntry] = []
    plain: list[list[Block]] = [[]]  # link-less top-level text per section, [0] = before any
    last_at_depth: dict[int, Block] = {}
    for block in page.blocks:
        if block is title_block:
            continue
        if block.kind == "heading" and block.level == section_level:
            sections.append(PageSection(title=block.text))
            plain.append([block])
            last_at_depth.clear()
            continue
        links = tuple(link for link in block.links if is_source_link(link))
        last_at_depth[block.depth] = block
        if not links:
            if block.depth == 0 and block.kind == "text":
                plain[-1].append(block)
            continue
        parent = last_at_depth.get(block.depth - 1) if block.depth > 1 else None
        group = (
            _clean(parent.text)
            if parent is not None and not any(is_source_link(link) for link in parent.links)
            else None
        )
        title, speakers = entry_title(block, links)
        section = len(sections) - 1 if sections else None
        entries.append(
            PageEntry(
                title=title,
                links=links,
                section=section,
                group=group,
                speakers=speakers,
                kind=_kind(title, links, section),
            )
        )
    sections = [_section(b[0], b[1:]) for b in plain[1:]]
    intro = [b.text for b in plain[0]]
    contacts = tuple(dict.fromkeys(m for text in intro for m in _EMAIL.findall(text)))
    return EventPage(
        url=page.url,
        title=title_block.text if title_block else page.title,
        lang=page.lang,
        sections=tuple(sections),
        entries=_merge_languages(entries),
        description=tuple(t for t in intro if not _EMAIL.search(t)),
        contacts=contacts,
    )


def _merge_languages(entries: list[PageEntry]) -> tuple[PageEntry, ...]:
    """Consecutive lines with one title (one per language, as the concept note has) are
    one entry."""
    merged: list[PageEntry] = []
    for entry in entries:
        last = merged[-1] if merged else None
        if last is not None and (last.title, last.section, last.group) == (
            entry.title,
            entry.section,
            entry.group,
        ):
            merged[-1] = replace(
                last, links=last.links + entry.links, speakers=last.speakers or entry.speakers
            )
        else:
            merged.append(entry)
    return tuple(merged)
