"""CLDR formatting (oerpack.i18n) and the build-time search index (oerpack.searchindex)."""

# Russian expectations are Cyrillic on purpose.

from __future__ import annotations

from datetime import date

import pytest

from oerpack.viewer.i18n import date_range, long_date, size_text, time_span, utc_offset, zone_city
from oerpack.viewer.searchindex import WEIGHTS, build_index, fold, stem, words

UNITS = {
    "en": {"B": "B", "KB": "KB", "MB": "MB", "GB": "GB"},
    "ru": {"B": "Б", "KB": "КБ", "MB": "МБ", "GB": "ГБ"},
}


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "25 September 2020"), ("ru", "25 сентября 2020\u202fг.")]
)
def test_long_date(lang: str, text: str) -> None:
    assert long_date(date(2020, 9, 25), lang) == text


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "25–27 September 2020"), ("ru", "25–27 сентября 2020\u202fг.")]
)
def test_date_range(lang: str, text: str) -> None:
    assert date_range(date(2020, 9, 25), date(2020, 9, 27), lang) == text
    assert date_range(date(2020, 9, 25), date(2020, 9, 25), lang) == long_date(
        date(2020, 9, 25), lang
    )


@pytest.mark.parametrize(
    ("lang", "end", "text"),
    [("en", "12:30", "11:00–12:30"), ("ru", "12:30", "11:00—12:30"), ("ru", None, "11:00")],
)
def test_time_span(lang: str, end: str | None, text: str) -> None:
    assert time_span("11:00", end, lang) == text


@pytest.mark.parametrize(
    ("zone", "lang", "city"),
    [
        ("Asia/Almaty", "en", "Almaty"),
        ("Asia/Almaty", "ru", "Алматы"),
        ("Asia/Bishkek", "ru", "Бишкек"),
        ("Asia/Tashkent", "ru", "Ташкент"),
        ("Nowhere/Atlantis", "ru", "Nowhere/Atlantis"),
    ],
)
def test_zone_city(zone: str, lang: str, city: str) -> None:
    assert zone_city(zone, lang) == city


def test_utc_offset() -> None:
    assert utc_offset(date(2020, 9, 25), "11:00", "Asia/Almaty") == "+06:00"
    assert utc_offset(date(2020, 7, 1), "11:00", "Europe/London") == "+01:00"
    assert utc_offset(date(2020, 7, 1), "11:00", "Nowhere/Atlantis") is None


@pytest.mark.parametrize(
    ("size", "en", "ru"),
    [
        (999, "999\u00a0B", "999\u00a0Б"),
        (13_053, "13.1\u00a0KB", "13,1\u00a0КБ"),
        (24_051_000, "24.1\u00a0MB", "24,1\u00a0МБ"),
        (3_500_000_000, "3.5\u00a0GB", "3,5\u00a0ГБ"),
    ],
)
def test_size_text(size: int, en: str, ru: str) -> None:
    assert size_text(size, "en", UNITS["en"]) == en
    assert size_text(size, "ru", UNITS["ru"]) == ru


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("записи", "запис"),
        ("вебинара", "вебинар"),
        ("казахстане", "казахстан"),
        ("recordings", "record"),
        ("2", "2"),
        ("ии", "ии"),
    ],
)
def test_stem(word: str, root: str) -> None:
    assert stem(word) == root


def test_fold_and_words() -> None:
    assert fold("ЁЛКА Ёж") == "елка еж"
    assert words("Вебинар №2: «Запись», e-learning") == ["вебинар", "2", "запись", "e", "learning"]


def test_index_weights_fields_stems_and_neighbouring_pairs() -> None:
    index = build_index(
        [
            {"title": ["Запись вебинара 2"], "text": ["запись"]},
            {"title": ["Other"], "text": ["вебинара вебинара 2"]},
        ]
    )
    terms, postings = index["terms"], index["postings"]
    assert terms == sorted(terms)

    def posting(term: str) -> list[object]:
        found = postings[terms.index(term)]
        assert isinstance(found, list)
        return found

    title = WEIGHTS["title"] * 10
    assert posting("вебинара") == [0, title + 1, 1, WEIGHTS["text"] * 10 + 2]
    assert posting("вебинар") == posting("вебинара")  # the stem beside the word
    assert posting("вебинар 2") == [0, title + 1]  # pairs only from titles, kind, webinar
    assert "other" in terms and "2" in terms
