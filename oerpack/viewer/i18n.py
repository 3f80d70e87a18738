"""Dates, times, time zones and sizes in a UI language by CLDR rules; the only Babel user.

Everything is formatted at build time, so the viewer needs no locale data in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_interval, format_time, get_timezone_location
from babel.numbers import format_decimal

#: The CLDR locale behind each UI language (British English writes "1 October 2020").
LOCALES = {"en": "en_GB", "ru": "ru"}
#: Decimal size units, as file managers and stick labels count them.
SIZE_UNITS = ("B", "KB", "MB", "GB")


def locale_of(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, lang))


def long_date(day: date, lang: str) -> str:
    """``1 October 2020`` / ``1 октября 2020 г.``: CLDR's long date."""
    return format_date(day, "long", locale=locale_of(lang))


#: UI languages whose long date starts with the day, so "25–27 September 2020" reads right.
_DAY_FIRST = frozenset({"en", "ru"})


def date_range(first: date, last: date, lang: str) -> str:
    """One date, or a range with full month names (``25–27 сентября 2020 г.``). Babel's
    interval formats abbreviate months ("Sept"), which a teacher should not have to decode."""
    if first == last:
        return long_date(first, lang)
    if lang in _DAY_FIRST and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{long_date(last, lang)}"
    return f"{long_date(first, lang)} – {long_date(last, lang)}"


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def time_span(start: str, end: str | None, lang: str) -> str:
    """``11:00–12:30`` with the language's own separator and clock (24-hour where CLDR says)."""
    loc = locale_of(lang)
    first = datetime.combine(date(2000, 1, 1), _clock(start))
    if not end:
        return str(format_time(first, "short", locale=loc))
    last = datetime.combine(date(2000, 1, 1), _clock(end))
    return str(format_interval(first, last, "Hm", locale=loc))


def zone_city(zone: str, lang: str) -> str:
    """The exemplar city of an IANA zone in the UI language (``Алматы``), or the zone's own
    name when neither zoneinfo nor CLDR knows it."""
    try:
        return str(get_timezone_location(ZoneInfo(zone), locale=locale_of(lang), return_city=True))
    except (ZoneInfoNotFoundError, LookupError, ValueError):
        return zone


def utc_offset(day: date, clock: str, zone: str) -> str | None:
    """``+06:00`` for a wall-clock time in ``zone`` on ``day`` (for ``<time datetime>``)."""
    try:
        moment = datetime.combine(day, _clock(clock), tzinfo=ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def size_text(size: int, lang: str, units: Mapping[str, str]) -> str:
    """Decimal size with the language's decimal mark and unit names (``24,1 МБ``); ``units``
    maps ``B``/``KB``/``MB``/``GB`` to the UI catalogue's words."""
    value = float(size)
    for unit in SIZE_UNITS:
        if value < 1000 or unit == "GB":
            pattern = "0" if unit == "B" else "0.0"
            number = format_decimal(value, format=pattern, locale=locale_of(lang))
            return f"{number}\u00a0{units.get(unit, unit)}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover
