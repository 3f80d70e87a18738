"""Pure reading of an event page's blocks: sections, entries (title, speakers, links, kind),
groups, and notes for the maintainer about what it could not decide."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

from .entries import (
    HONORIFIC,
    DraftSpeaker,
    clean,
    is_generic_title,
    looks_like_names,
    needs_check,
    parse_speakers,
    read_line,
    split_trailing_parenthetical,
)
from .labels import (
    LABEL_TO_LANG,
    is_source_link,
    is_video,
    label_key,
    label_language,
    not_taken,
)
from .links import Block, PageLink, ParsedPage
from .phrases import (
    find_date,
    find_times,
    is_file_label,
    is_video_label,
    key,
    names_when,
    strip_when,
)

__all__ = [
    "DraftSpeaker",
    "EventPage",
    "PageEntry",
    "PageSection",
    "is_source_link",
    "is_video",
    "label_key",
    "label_language",
    "read_event_page",
]

#: Section headings over people or places, whose links (biographies, sites) are not material.
PEOPLE_HEADINGS = frozenset(
    {
        "speakers",
        "our speakers",
        "about the speakers",
        "speaker biographies",
        "organisers",
        "organizers",
        "partners",
        "sponsors",
        "venue",
        "contacts",
        "докладчики",
        "спикеры",
        "выступающие",
        "наши спикеры",
        "организаторы",
        "партнёры",
        "партнеры",
        "спонсоры",
        "площадка",
        "контакты",
    }
)
#: Words a line of names may start with: "Участники: A, B" (then the names are links).
_NAME_LEADS = frozenset(
    {"участники", "ведущие", "ведущий", "спикеры", "speakers", "panellists", "panelists"}
)
_RECORDING_WORDS = frozenset({"recording", "recordings", "запись", "записи", "видеозапись"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class PageEntry:
    """A line of the page that offers files: what a manifest calls an item. ``notes`` are
    what a maintainer should look at (links that are not files, a title made up)."""

    title: str
    links: tuple[PageLink, ...]
    section: int | None = None
    group: str | None = None
    speakers: tuple[DraftSpeaker, ...] = ()
    kind: str = "presentation"
    description: str | None = None
    notes: tuple[str, ...] = ()


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
    subtitle: str | None = None
    description: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # for the maintainer: links seen but not taken, and why

    def links(self) -> tuple[tuple[PageEntry, PageLink], ...]:
        return tuple((entry, link) for entry in self.entries for link in entry.links)


@dataclass
class _Reader:
    """The walk over a page's blocks; one instance per page."""

    section_level: int | None
    plain: list[list[Block]] = field(default_factory=lambda: [[]])
    entries: list[PageEntry] = field(default_factory=list)
    under: list[int | None] = field(default_factory=list)  # per entry: its sub-heading
    headings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_at_depth: dict[int, Block] = field(default_factory=dict)
    heading: int | None = None
    people: bool = False
    since_entry: bool = True  # a heading came after the last entry
    previous: Block | None = None  # the last line read
    row: list[Block] = field(default_factory=list)  # the cells read of the current table row
    used: set[int] = field(default_factory=set)  # ids of lines an entry took its title from

    def read(self, block: Block) -> None:
        if block.kind == "heading":
            self.since_entry = True
            if block.level == self.section_level:
                self.plain.append([block])
                self.last_at_depth.clear()
                self.heading = None
                self.people = key(block.text) in PEOPLE_HEADINGS
            elif not self.people:
                self.headings.append(block.text)
                self.heading = len(self.headings) - 1
            return
        if self.people:
            return
        if block.row is None or not self.row or self.row[0].row != block.row:
            self.row = []
        links = tuple(link for link in block.links if is_source_link(link))
        context = block.prefix
        if self.heading is not None and (self.since_entry or not context):
            context = self.headings[self.heading]
        for link in block.links:
            if (why := not_taken(link)) is not None:
                where = f"under {clean(context)[:60]!r}: " if context else ""
                self.notes.append(where + why)
        if not links:
            self._plain(block)
        else:
            self._entry(block, links)
        self.previous = block
        if block.row is not None:
            self.row.append(block)

    def _plain(self, block: Block) -> None:
        names = _names_only(block)
        if names and self.entries and not self.since_entry and not self.entries[-1].speakers:
            self.entries[-1] = replace(self.entries[-1], speakers=names)
            return
        if block.depth == 0 and block.kind == "text":
            self.plain[-1].append(block)
        self.last_at_depth[block.depth] = block

    def _entry(self, block: Block, links: tuple[PageLink, ...]) -> None:
        parent = self.last_at_depth.get(block.depth - 1) if block.depth >= 1 else None
        group = None
        if (
            parent is not None
            and not any(is_source_link(link) for link in parent.links)
            and (block.depth > 1 or parent.text.rstrip().endswith(":"))
        ):
            group = clean(parent.text)
        self.last_at_depth[block.depth] = block
        prefix = block.prefix
        first = links[0].text
        before = self.previous
        if prefix.strip():
            pass
        elif not is_file_label(first) and label_key(first) not in LABEL_TO_LANG:
            prefix, _ = split_trailing_parenthetical(first)  # "Concept Note (English)"
        elif before is not None and before.box == block.box and not before.links:
            prefix = before.text  # "Title<br>video, slides": the line above is the title
            self.used.add(id(before))
        reading = read_line(prefix)
        named = tuple(DraftSpeaker(n) for n in block.anchors if looks_like_names(n))
        speakers = named or reading.speakers or self._row_speakers(block, prefix)
        self.entries.append(
            PageEntry(
                title=reading.title,
                links=links,
                section=len(self.plain) - 2 if len(self.plain) > 1 else None,
                group=group,
                speakers=speakers,
                description=prefix.strip() or None,
            )
        )
        self.under.append(self.heading)
        self.since_entry = False

    def _row_speakers(self, block: Block, title: str) -> tuple[DraftSpeaker, ...]:
        """Names in the other cells of the entry's table row ("10h00 | Jane Smith | Title")."""
        found: list[DraftSpeaker] = []
        for cell in self.row:
            name, _ = split_trailing_parenthetical(cell.text)  # "Jeff Collins (via skype)"
            if cell.box != block.box and cell.text != title and looks_like_names(name):
                found.extend(parse_speakers(name))
                self.used.add(id(cell))
        return tuple(found)


def _names_only(block: Block) -> tuple[DraftSpeaker, ...]:
    """The speakers of a line that is only in-page links to them ("Илья Петров")."""
    if not block.anchors or block.links:
        return ()
    rest = block.text
    for name in block.anchors:
        rest = rest.replace(name, " ")
    words = key(rest).split()
    if words and words[0] in _NAME_LEADS:
        words = words[1:]
    if any(word not in ("и", "and") for word in words):
        return ()
    if not all(looks_like_names(name) for name in block.anchors):
        return ()
    return tuple(DraftSpeaker(name) for name in block.anchors)


def _settle_titles(reader: _Reader, sections: list[PageSection]) -> list[PageEntry]:
    """Titles from the sub-heading over a single entry (its line is then the description);
    a sub-heading over several entries is their group; generic titles take the section's
    short name ("Recordings" under "Webinar 1: …" → "Webinar 1 Recordings")."""
    count: dict[int, int] = {}
    for heading in reader.under:
        if heading is not None:
            count[heading] = count.get(heading, 0) + 1
    settled = []
    for entry, heading in zip(reader.entries, reader.under, strict=True):
        notes: list[str] = []
        if heading is not None and count[heading] == 1:
            line = entry.description or ""
            words = key(line).split()
            keep = line if words and words[0] not in _NAME_LEADS else None
            entry = replace(entry, title=clean(reader.headings[heading]), description=keep)
        elif heading is not None and entry.group is None:
            entry = replace(entry, group=clean(reader.headings[heading]))
        else:
            entry = replace(entry, description=None)
        notes += [
            f"check the role and organisation of {s.name!r}: {s.organisation!r}"
            for s in entry.speakers
            if needs_check(s)
        ]
        if is_generic_title(entry.title) or not entry.title:
            short = _short_name(sections[entry.section].title) if entry.section is not None else ""
            if short and entry.title:
                entry = replace(entry, title=f"{short} {entry.title}")
            else:
                made_up = entry.title or _file_title(entry.links[0])
                notes.append(f"the page gives this item no title; {made_up!r} is made up")
                entry = replace(entry, title=made_up)
        settled.append(replace(entry, kind=_kind(entry), notes=tuple(notes)))
    return settled


def _file_title(link: PageLink) -> str:
    """A stand-in title from a link: its file name without extension, else its label."""
    name = urlsplit(link.url).path.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"[_\-.]+", " ", name.rsplit(".", 1)[0]).strip()
    return stem or link.text


def _short_name(title: str) -> str:
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head.split()) <= 4 else ""


def _kind(entry: PageEntry) -> str:
    videos = [is_video(link.url) or is_video_label(link.text) for link in entry.links]
    if all(videos) or set(key(entry.title).split()) & _RECORDING_WORDS:
        return "recording"
    return "presentation" if any(videos) or entry.section is not None else "document"


def _section(block: Block, following: list[Block], fallback: date | None) -> PageSection:
    title, bracket = split_trailing_parenthetical(block.text)
    organiser = None
    if bracket is not None and names_when(bracket):
        title = strip_when(block.text)
    elif bracket is not None and not HONORIFIC.match(bracket):
        organiser = bracket
    else:
        title = block.text
    when, (start, end) = find_date(block.text), find_times(block.text)
    description: list[str] = []
    for each in following:
        text = each.text
        if when is None and (found := find_date(text)) is not None:
            when = found
            start, end = (start, end) if start else find_times(text)
        elif start is None and find_times(text)[0] and len(text) < 80:
            start, end = find_times(text)
        elif not (text.endswith(":") and len(text.split()) <= 4):  # "Presentations:"
            description.append(text)
    return PageSection(
        title=clean(title) or block.text,
        organiser=organiser,
        date=when or fallback,
        start=start,
        end=end,
        description=tuple(description),
    )


def _subtitle(blocks: tuple[Block, ...], title: Block | None) -> Block | None:
    """A heading right under the page title that no other heading shares a level with."""
    if title is None:
        return None
    after = blocks.index(title) + 1
    if after >= len(blocks) or blocks[after].kind != "heading":
        return None
    candidate = blocks[after]
    levels = [b.level for b in blocks if b.kind == "heading"]
    deeper = any(level > candidate.level for level in levels)
    unique = levels.count(candidate.level) == 1
    return candidate if unique and deeper and candidate.level > title.level else None


def read_event_page(page: ParsedPage) -> EventPage:
    """Sections from headings, entries from lines with source links, titles from quotes,
    sub-headings or the line, groups from list nesting, notes for the maintainer."""
    headings = [b for b in page.blocks if b.kind == "heading"]
    title_block = next((b for b in headings if b.level == 1), None)
    subtitle = _subtitle(page.blocks, title_block)
    levels = [b.level for b in headings if b is not title_block and b is not subtitle]
    reader = _Reader(section_level=min(levels) if levels else None)
    for block in page.blocks:
        if block is not title_block and block is not subtitle:
            reader.read(block)
    reader.plain = [[b for b in part if id(b) not in reader.used] for part in reader.plain]
    intro = [b.text for b in reader.plain[0]]
    fallback = find_date(title_block.text) if title_block else None
    intro_dates = {d for text in intro if (d := find_date(text)) is not None}
    fallback = fallback or (intro_dates.pop() if len(intro_dates) == 1 else None)
    sections = [_section(b[0], b[1:], fallback) for b in reader.plain[1:]]
    entries = _settle_titles(reader, sections)
    contacts = tuple(dict.fromkeys(m for text in intro for m in _EMAIL.findall(text)))
    return EventPage(
        url=page.url,
        title=title_block.text if title_block else page.title,
        subtitle=subtitle.text if subtitle else None,
        lang=page.lang,
        sections=tuple(sections),
        entries=_merge_languages(entries),
        description=tuple(t for t in intro if not _EMAIL.search(t)),
        contacts=contacts,
        notes=tuple(dict.fromkeys(reader.notes)),
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
                last,
                links=last.links + entry.links,
                speakers=last.speakers or entry.speakers,
                notes=last.notes + entry.notes,
            )
        else:
            merged.append(entry)
    return tuple(merged)
