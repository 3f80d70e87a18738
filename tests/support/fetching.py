"""Helpers for download tests: tiny manifests with URL sources, and test-speed settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from oerpack.settings import Settings


def fast_settings(cache_dir: Path, **overrides: object) -> Settings:
    """Settings for tests: no backoff delays, short timeouts."""
    values: dict[str, object] = {
        "backoff": 0.0,
        "max_backoff": 0.0,
        "retries": 3,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
    }
    values.update(overrides)
    return Settings(cache_dir=cache_dir, **values)  # type: ignore[arg-type]


def write_manifest(
    path: Path, sources: Sequence[dict[str, object]], *, event_id: str = "nettest"
) -> Path:
    """A valid manifest with one document item per source (``{"id", "url", ...}``, or
    ``"path"`` instead of ``"url"``); each source dict may add ``lang``, ``sha256``, ``size``."""
    lines = [
        "oerpack: 1",
        "event:",
        f"  id: {event_id}",
        "  title: {en: Network test, ru: Сетевой тест}",
        "  languages: [en, ru]",
        "  publisher: {en: oerpack tests}",
        "  license: CC BY 4.0",
        "items:",
    ]
    for source in sources:
        where = "path" if "path" in source else "url"
        lines += [
            f"  - id: {source['id']}",
            f"    title: {{en: {source['id']}}}",
            "    kind: document",
            "    sources:",
            f"      - lang: {source.get('lang', 'en')}",
            f"        {where}: {json.dumps(source[where])}",
        ]
        lines += [f"        {k}: {source[k]}" for k in ("sha256", "size") if k in source]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
