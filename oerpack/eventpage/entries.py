"""What one line of an event page that offers files says: its title and the speakers it
names — before a quoted title ("Name: “Title”", "Name, «Title»"), in brackets after it
("«Title» (Name, Role, Organisation)"), or in a trailing bracket that starts with an
honorific ("Title (Mr A B, Officer, KERIS)")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .phrases import key, quoted

HONORIFIC = re.compile(
    r"^(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|H\.\s?E|Sir|Dame|г-н|г-жа|д-р|проф)\b\.?"
)
_SPEAKER_SPLIT = re.compile(r"\s*;\s*|\s+and\s+(?=(?:Mr|Mrs|Ms|Miss|Dr|Prof)\b)")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|[•·▪◦*–-])\s*")
_TRAILING_JUNK = " \t:;,(–-—|/"
_NAME_END = ":,–—-"
_OPENERS = {"(": ")", "«": "»", "“": "”", "[": "]"}
#: Words that name a line's role on the page, not its content ("Recordings: Eng | Rus").
GENERIC_TITLES = frozenset(
    {
        "recording",
        "recordings",
        "video",
        "videos",
        "webinar recording",
        "webinar recordings",
        "presentation",
        "presentations",
        "slides",
        "materials",
        "видео",
        "запись",
        "записи",
        "видеозапись",
        "видеозаписи",
        "презентация",
        "презентации",
        "слайды",
        "материалы",
    }
)


_ON_BEHALF = re.compile(r"\s+((?:to\s+(?:present|speak)\s+)?on behalf of\b.+)$")
#: Countries (and the forms pages write them in) that end an organisation's field.
COUNTRIES = frozenset(
    {
        "kazakhstan",
        "kyrgyzstan",
        "kyrgyz republic",
        "tajikistan",
        "uzbekistan",
        "turkmenistan",
        "mongolia",
        "china",
        "pr china",
        "korea",
        "republic of korea",
        "japan",
        "india",
        "russia",
        "russian federation",
        "estonia",
        "germany",
        "france",
        "thailand",
        "usa",
        "united states",
        "united kingdom",
        "uk",
        "казахстан",
        "кыргызстан",
        "киргизия",
        "таджикистан",
        "узбекистан",
        "туркменистан",
        "россия",
        "китай",
        "монголия",
        "беларусь",
    }
)
#: Words of a role; an "organisation" holding one may be a role and an organisation run
#: together ("DVV International Regional Director for Central Asia").
ROLE_WORDS = frozenset(
    {
        "director",
        "officer",
        "specialist",
        "adviser",
        "advisor",
        "manager",
        "head",
        "chief",
        "coordinator",
        "researcher",
        "professor",
        "директор",
        "руководитель",
        "заведующий",
        "начальник",
        "специалист",
        "советник",
    }
)


def needs_check(speaker: DraftSpeaker) -> bool:
    """An organisation with a role's word in it and no role: probably both run together."""
    return speaker.role is None and bool(
        speaker.organisation and set(key(speaker.organisation).split()) & ROLE_WORDS
    )


@dataclass(frozen=True, slots=True)
class DraftSpeaker:
    name: str
    role: str | None = None
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class LineReading:
    title: str
    speakers: tuple[DraftSpeaker, ...] = ()


def clean(text: str) -> str:
    """Without a leading list number or bullet and trailing separators."""
    return _LEADING_NUMBER.sub("", text).strip().rstrip(_TRAILING_JUNK).strip()


def split_trailing_parenthetical(text: str) -> tuple[str, str | None]:
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


def _fields(text: str) -> list[str]:
    """``text`` split at commas outside brackets and quotes."""
    fields: list[str] = []
    current: list[str] = []
    closers: list[str] = []
    for char in text:
        if closers and char == closers[-1]:
            closers.pop()
        elif char in _OPENERS:
            closers.append(_OPENERS[char])
        elif char == "," and not closers:
            fields.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    fields.append("".join(current).strip())
    return [f for f in fields if f]


def parse_speakers(text: str) -> tuple[DraftSpeaker, ...]:
    """ "Name, Role, Organisation; Name, …": a second field alone is the organisation,
    unless it starts in lower case as Russian roles do ("Иванов И. И., вице-министр").
    A last field that is a country stays with the organisation before it ("Bilim Media
    Group, Kazakhstan"); "… to present on behalf of X" goes to the role, in brackets."""
    speakers = []
    for part in _SPEAKER_SPLIT.split(text):
        fields = _fields(part)
        if not fields:
            continue
        behalf = _ON_BEHALF.search(fields[-1]) if len(fields) > 2 else None
        if behalf is not None:
            fields[-1] = fields[-1][: behalf.start()].strip()
            fields[-2] = f"{fields[-2]} ({behalf.group(1)})"
        if len(fields) > 2 and key(fields[-1]) in COUNTRIES:
            fields[-2:] = [f"{fields[-2]}, {fields[-1]}"]
        if len(fields) == 2 and fields[1][:1].islower():
            speakers.append(DraftSpeaker(name=fields[0], role=fields[1]))
            continue
        speakers.append(
            DraftSpeaker(
                name=fields[0],
                role=", ".join(fields[1:-1]) or None,
                organisation=fields[-1] if len(fields) > 1 else None,
            )
        )
    return tuple(speakers)


def looks_like_names(text: str) -> bool:
    """A short run of capitalised words: a speaker's name (or a few), not a sentence."""
    words = text.split()
    return 0 < len(words) <= 12 and text[:1].isupper() and not re.search(r"\d", text)


def read_line(text: str) -> LineReading:
    """The title and speakers of a line's text (the text before its links)."""
    base = clean(text)
    found = quoted(base)
    if found is not None and found.title:
        before, after = found.before.strip(), found.after.strip()
        names = before[:-1].strip() if before and before[-1] in _NAME_END else None
        rest, inner = split_trailing_parenthetical(after) if after else ("", None)
        if (not before or (names and looks_like_names(names))) and not rest.strip(" ,.;"):
            speakers = parse_speakers(names) if names else ()
            return LineReading(clean(found.title), speakers + parse_speakers(inner or ""))
    rest, inner = split_trailing_parenthetical(base)
    if inner is not None and HONORIFIC.match(inner):
        return LineReading(clean(rest), parse_speakers(inner))
    return LineReading(base)


def is_generic_title(title: str) -> bool:
    return key(title) in GENERIC_TITLES
