"""A small bilingual event generated at test time: PDFs (Cyrillic), a video, a PPTX-like file.

``write_corpus(folder)`` writes the media and ``manifest.yaml`` (local ``path`` sources, or
``base_url`` sources served by a FaultServer) and returns the manifest's path.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.media import make_bytes, make_pdf, make_video

EVENT_ID = "kz-webinars"
TITLES = {
    "guide": {"en": "Teacher guide", "ru": "Руководство для учителя"},
    "talk": {
        "en": "Distance learning in rural schools",
        "ru": "Дистанционное обучение в сельских школах",
    },
    "recording": {"en": "Webinar recording", "ru": "Запись вебинара"},
}


def write_media(folder: Path, *, guide_ru_text: str = "Привет, мир") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "guide-en.pdf": make_pdf(folder / "guide-en.pdf", ["Hello, world"]),
        "guide-ru.pdf": make_pdf(folder / "guide-ru.pdf", [guide_ru_text]),
        "talk-ru.pdf": make_pdf(folder / "talk-ru.pdf", ["Дистанционное обучение"]),
        "recording-ru.mp4": make_video(folder / "recording-ru.mp4", seconds=2.0),
    }
    (folder / "talk-en.pptx").write_bytes(b"PK\x03\x04" + make_bytes(2000, seed=3))
    files["talk-en.pptx"] = folder / "talk-en.pptx"
    return files


def _source(lang: str, name: str, base_url: str | None) -> dict[str, str]:
    return (
        {"lang": lang, "url": f"{base_url}/{name}"}
        if base_url
        else {"lang": lang, "path": f"media/{name}"}
    )


def write_manifest(folder: Path, *, base_url: str | None = None) -> Path:
    """Write ``folder/manifest.yaml`` for the media under ``folder/media``."""
    manifest = {
        "oerpack": 1,
        "event": {
            "id": EVENT_ID,
            "title": {"en": "Rural education webinars", "ru": "Вебинары о сельском образовании"},
            "subtitle": {"en": "Test event", "ru": "Тестовое мероприятие"},
            "languages": ["ru", "en"],
            "publisher": {"en": "Test publisher", "ru": "Тестовый издатель"},
            "license": "CC BY-SA 4.0",
        },
        "items": [
            {
                "id": "guide",
                "title": TITLES["guide"],
                "kind": "document",
                "description": {"en": "How to use it", "ru": "Как пользоваться"},
                "sources": [
                    _source("en", "guide-en.pdf", base_url),
                    _source("ru", "guide-ru.pdf", base_url),
                ],
            }
        ],
        "sections": [
            {
                "id": "webinar-1",
                "title": {"en": "Webinar 1", "ru": "Вебинар 1"},
                "items": [
                    {
                        "id": "talk",
                        "title": TITLES["talk"],
                        "kind": "presentation",
                        "speakers": [{"name": {"en": "Dr Aigerim Test", "ru": "Д-р Айгерим Тест"}}],
                        "sources": [
                            _source("en", "talk-en.pptx", base_url),
                            _source("ru", "talk-ru.pdf", base_url),
                        ],
                    },
                    {
                        "id": "recording",
                        "title": TITLES["recording"],
                        "kind": "recording",
                        "sources": [_source("ru", "recording-ru.mp4", base_url)],
                    },
                ],
            }
        ],
    }
    path = folder / "manifest.yaml"
    # JSON is YAML: no need for a YAML writer in tests.
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_corpus(folder: Path, *, base_url: str | None = None) -> Path:
    write_media(folder / "media")
    return write_manifest(folder, base_url=base_url)
