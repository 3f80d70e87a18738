"""Synthetic plans for viewer tests and benchmarks: no fetch, no real files needed.

A :class:`~oerpack.plan.Plan` is built straight from the models, with made-up
checksums, so ``render_viewer`` can be exercised on any number of items.
"""

# Russian sample text is Cyrillic on purpose.

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from oerpack import ids, layout
from oerpack.models import Event, Item, Manifest, PdfInfo, Section, Source, Speaker, Text
from oerpack.plan import PackageFile, Plan
from oerpack.viewer import MediaInfo

__all__ = ["HOSTILE", "synthetic_plan"]

#: Titles that must stay text: markup, a script end tag, an attribute breakout, entities.
HOSTILE = '<script>alert("x")</script></script><img src=x onerror=alert(1)> & "q" \u2028'

_WORDS_EN = (
    "education",
    "teachers",
    "rural",
    "schools",
    "distance",
    "learning",
    "skills",
    "digital",
    "open",
    "resources",
    "pandemic",
    "curriculum",
    "assessment",
    "connectivity",
    "platform",
)
_WORDS_RU = (
    "образование",
    "учителя",
    "сельские",
    "школы",
    "обучение",
    "навыки",
    "цифровые",
    "открытые",
    "ресурсы",
    "пандемия",
    "программа",
    "оценка",
    "связь",
    "платформа",
)


def _text(en: str, ru: str | None) -> Text:
    return Text((("en", en), ("ru", ru)) if ru is not None else (("en", en),))


def _body(seed: int, words: tuple[str, ...], chars: int) -> str:
    out: list[str] = []
    length = 0
    n = seed
    while length < chars:
        n = (n * 1103515245 + 12345) % 2**31
        word = words[n % len(words)] + ("" if n % 7 else f"{n % 1000}")
        out.append(word)
        length += len(word) + 1
    return " ".join(out)


def _file(item_id: str, lang: str, ext: str, size: int) -> PackageFile:
    key = f"{item_id}.{lang}"
    md5 = hashlib.md5(key.encode()).hexdigest()
    return PackageFile(
        key=key,
        item_id=item_id,
        lang=lang,
        sha256=hashlib.sha256(key.encode()).hexdigest(),
        md5=md5,
        size=size,
        ext=ext,
        dest=layout.storage_path(md5, ext),
        media="video" if ext == "mp4" else "document",
    )


def _item(n: int, *, video: bool, hostile: bool) -> Item:
    item_id = f"item-{n:04d}"
    title = _text(
        HOSTILE if hostile else f"Talk {n}: {_WORDS_EN[n % len(_WORDS_EN)]}",
        None if n % 5 == 4 else f"Доклад {n}: {_WORDS_RU[n % len(_WORDS_RU)]}",
    )
    sources = tuple(Source(key=f"{item_id}.{lang}", id=lang, lang=lang) for lang in ("en", "ru"))
    return Item(
        id=item_id,
        title=title,
        kind="recording" if video else "presentation",
        sources=sources,
        description=_text(HOSTILE if hostile else f"About talk {n}.", f"О докладе {n}."),
        speakers=(
            Speaker(
                name=_text(f"Speaker {n}", f"Докладчик {n}"),
                role=_text("Researcher", "Исследователь"),
                organisation=_text(f"Institute {n % 17}", None),
            ),
        ),
    )


def synthetic_plan(
    items: int,
    *,
    text_chars: int = 2000,
    video_every: int = 5,
    per_section: int = 10,
    hostile_every: int = 0,
) -> tuple[Plan, dict[str, MediaInfo]]:
    """A plan of ``items`` two-language items in webinars of ``per_section``, with media info:
    PDFs carry ``text_chars`` of searchable text, every ``video_every``-th item is a video."""
    made = [
        _item(
            n,
            video=video_every > 0 and n % video_every == video_every - 1,
            hostile=hostile_every > 0 and n % hostile_every == 0,
        )
        for n in range(items)
    ]
    sections = tuple(
        Section(
            id=f"webinar-{start // per_section + 1}",
            title=_text(
                f"Webinar {start // per_section + 1}", f"Вебинар {start // per_section + 1}"
            ),
            items=tuple(made[start : start + per_section]),
            date=date(2020, 9, 1) + timedelta(days=start // per_section),
            start="11:00",
            end="12:30",
            timezone="Asia/Almaty",
            organiser=_text("UNESCO Bangkok", "ЮНЕСКО Бангкок"),
        )
        for start in range(0, items, per_section)
    )
    files: list[PackageFile] = []
    media: dict[str, MediaInfo] = {}
    for n, item in enumerate(made):
        for source in item.sources:
            ext = "mp4" if item.kind == "recording" else "pdf"
            package_file = _file(item.id, source.lang, ext, 100_000 + n * 1_000)
            files.append(package_file)
            words = _WORDS_RU if source.lang == "ru" else _WORDS_EN
            media[package_file.key] = (
                MediaInfo(duration=1800.0 + n)
                if ext == "mp4"
                else MediaInfo(pdf=PdfInfo(pages=10 + n % 30, text=_body(n, words, text_chars)))
            )
    event = Event(
        id="synthetic",
        title=_text("Synthetic event", "Синтетическое мероприятие"),
        languages=("en", "ru"),
        publisher=_text("oerpack", None),
        license="CC BY 4.0",
    )
    manifest = Manifest(path=Path("/nonexistent/synthetic.yaml"), event=event, sections=sections)
    plan = Plan(
        manifest=manifest,
        package_id="synthetic",
        channel_id=ids.channel_id("synthetic"),
        channel_version=1,
        content_hash="0" * 64,
        files=tuple(files),
    )
    return plan, media
