"""Pure reading of the phrases event pages print, in English and Russian: dates and times,
quoted titles and the speakers around them, link labels that only name a file's type or
size, and page furniture (back to top, share, print) that is never event material."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

MONTHS: dict[str, int] = {
    **{
        name: number
        for number, names in enumerate(
            (
                ("january", "jan"),
                ("february", "feb"),
                ("march", "mar"),
                ("april", "apr"),
                ("may",),
                ("june", "jun"),
                ("july", "jul"),
                ("august", "aug"),
                ("september", "sep", "sept"),
                ("october", "oct"),
                ("november", "nov"),
                ("december", "dec"),
            ),
            start=1,
        )
        for name in names
    },
    # Russian dates name the month in the genitive ("12 апреля"); headings sometimes not.
    **{
        name: number
        for number, names in enumerate(
            (
                ("января", "январь", "янв"),
                ("февраля", "февраль", "фев"),
                ("марта", "март", "мар"),
                ("апреля", "апрель", "апр"),
                ("мая", "май"),
                ("июня", "июнь", "июн"),
                ("июля", "июль", "июл"),
                ("августа", "август", "авг"),
                ("сентября", "сентябрь", "сен", "сент"),
                ("октября", "октябрь", "окт"),
                ("ноября", "ноябрь", "ноя"),
                ("декабря", "декабрь", "дек"),
            ),
            start=1,
        )
        for name in names
    },
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|-?(?:го|е))?(?:\s*[-–—]\s*\d{1,2})?"
_DATES = (
    # 12 April 2024, 15–16 мая 2023 г.
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+(\d{{4}})\b", re.IGNORECASE), (3, 2, 1)),
    # April 12, 2024
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(\d{{4}})\b", re.IGNORECASE), (3, 1, 2)),
    # 2024-04-12
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), (1, 2, 3)),
    # 12.04.2024
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), (3, 2, 1)),
)
_CLOCK = r"(\d{1,2})[:.](\d{2})\s*(am|pm|a\.m\.|p\.m\.)?"
_TIMES = re.compile(rf"(?<![\d.]){_CLOCK}\s*(?:[-–—]|to|до|по)\s*{_CLOCK}(?![\d.])", re.IGNORECASE)
_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")

# Link texts and addresses of page furniture, casefolded and without punctuation.
FURNITURE_TEXTS = frozenset(
    {
        "back to top",
        "to top",
        "top",
        "go to top",
        "return to top",
        "наверх",
        "вверх",
        "к началу",
        "в начало",
        "на верх",
        "share",
        "share this",
        "share this page",
        "поделиться",
        "print",
        "print this page",
        "printer-friendly version",
        "print version",
        "печать",
        "распечатать",
        "версия для печати",
        "skip to main content",
        "перейти к основному содержанию",
        "tweet",
        "like",
    }
)
_SHARE_URL = re.compile(
    r"addtoany\.com|facebook\.com/shar|twitter\.com/(?:intent|share)|x\.com/intent|"
    r"vk\.com/share|t\.me/share|telegram\.me/share|linkedin\.com/share|connect\.ok\.ru|"
    r"(?:^|[/?&])print(?:pdf)?(?:[/=]|$)",
    re.IGNORECASE,
)

# Words of a label that only says what kind of file a link is ("PDF 4,2 МБ", "Слайды в HTML").
_FILE_WORDS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "ppt",
        "pptx",
        "odp",
        "odt",
        "xls",
        "xlsx",
        "zip",
        "html",
        "mp4",
        "mp3",
        "video",
        "videos",
        "recording",
        "recordings",
        "slides",
        "slide",
        "presentation",
        "presentations",
        "deck",
        "download",
        "file",
        "document",
        "full text",
        "in",
        "format",
        "видео",
        "видеозапись",
        "запись",
        "записи",
        "слайды",
        "слайдов",
        "презентация",
        "презентации",
        "презентацию",
        "скачать",
        "файл",
        "документ",
        "в",
        "формате",
        "формат",
    }
)
_SIZE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:[kmgкмг][bб]|[kmgкмг]i?b|байт\w*|bytes?)\b\.?", re.I)
_VIDEO_WORDS = frozenset(
    {"video", "videos", "recording", "recordings", "видео", "видеозапись", "запись", "записи"}
)


def find_date(text: str) -> date | None:
    """The first calendar date ``text`` names, in English or Russian, or None."""
    found: list[tuple[int, date]] = []
    for pattern, (y, m, d) in _DATES:
        match = pattern.search(text)
        if not match:
            continue
        month = match.group(m)
        number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
        try:
            found.append((match.start(), date(int(match.group(y)), number, int(match.group(d)))))
        except ValueError:
            continue
    return min(found)[1] if found else None


def find_times(text: str) -> tuple[str | None, str | None]:
    """The first ``start–end`` time range in ``text`` as ``HH:MM`` strings (12-hour clocks
    with am/pm converted), else ``(None, None)``."""
    match = _TIMES.search(text)
    if not match:
        return None, None

    def clock(hour: str, minute: str, half: str | None) -> str | None:
        h = int(hour)
        pm = half is not None and half.lower().startswith("p")
        h += 12 if pm and h < 12 else 0
        h -= 12 if half and not pm and h == 12 else 0
        return f"{h:02d}:{minute}" if h < 24 and int(minute) < 60 else None

    return clock(*match.group(1, 2, 3)), clock(*match.group(4, 5, 6))


def names_when(text: str) -> bool:
    return find_date(text) is not None or find_times(text)[0] is not None


def strip_when(text: str) -> str:
    """``text`` without a trailing bracket that only says when: "(12 April 2024)"."""
    match = _PAREN.search(text)
    if match and names_when(match.group(1)):
        return text[: match.start()].rstrip(" ,;:–—-")
    return text


def key(text: str) -> str:
    """Casefolded words only, for comparing short labels."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def is_furniture(text: str, url: str = "") -> bool:
    """A back-to-top, share or print link (by its text or its address)."""
    words = key(text.replace("↑", " "))
    return words in FURNITURE_TEXTS or bool(url and _SHARE_URL.search(url))


def file_words(text: str) -> frozenset[str] | None:
    """The words of a label that only names a file's type and size ("PDF 4,2 МБ",
    "презентация в PDF", "Слайды в HTML (6,2 Мб)"), or None if it says anything else."""
    words = key(_SIZE.sub(" ", text)).split()
    if not words or not all(word in _FILE_WORDS for word in words):
        return None
    return frozenset(words)


def is_file_label(text: str) -> bool:
    return file_words(text) is not None


def is_video_label(text: str) -> bool:
    words = file_words(text)
    return bool(words and words & _VIDEO_WORDS)


def is_folder_url(url: str) -> bool:
    """An address of a folder or page (ends with '/' or has no file name extension)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return not name or "." not in name


_QUOTES = {"«": "»", "“": "”", "„": "“", '"': '"'}


@dataclass(frozen=True, slots=True)
class Quoted:
    """A text split around its first quoted title: ``before «title» after``."""

    before: str
    title: str
    after: str


def quoted(text: str) -> Quoted | None:
    """The first quoted title in ``text``. Nested quotes of the same kind are kept inside;
    an opening quote that never closes runs to the end of the text."""
    starts = [(text.find(q), q) for q in _QUOTES if text.find(q) >= 0]
    if not starts:
        return None
    start, opening = min(starts)
    closing = _QUOTES[opening]
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == closing and (depth > 1 or opening != closing or index > start):
            depth -= 1
            if depth == 0:
                return Quoted(text[:start], text[start + 1 : index].strip(), text[index + 1 :])
        elif char == opening:
            depth += 1
    return Quoted(text[:start], text[start + 1 :].strip(), "")
