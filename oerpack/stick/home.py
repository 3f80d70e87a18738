"""The home page at the root of a stick holding several packages: each package's title in
both languages, dates, languages and size, linked to its viewer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..units import human_size
from ..viewer import render_home
from .image import PackageInfo


def home_context(packages: Sequence[PackageInfo]) -> dict[str, Any]:
    return {
        "packages": [
            {
                "id": p.id,
                "href": f"{p.id}/index.html",
                "title_ru": p.title.get("ru", ""),
                "title_en": p.title.get("en", ""),
                "dates": (p.dates[0] if p.dates[0] == p.dates[1] else " – ".join(p.dates))
                if p.dates
                else "",
                "languages": ", ".join(p.languages),
                "size": human_size(p.size),
            }
            for p in packages
        ]
    }


def render_home_page(packages: Sequence[PackageInfo]) -> bytes:
    return render_home(home_context(packages)).encode("utf-8")
