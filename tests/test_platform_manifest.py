"""``via: yt-dlp`` in a manifest: what the loader and the JSON Schema accept, and how it
reaches the fetch plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from oerpack.lock import read_lock
from oerpack.manifest import ManifestError, load_manifest
from oerpack.plan import plan_fetch
from oerpack.settings import Settings
from tests.conftest import REPO

HEAD = """\
oerpack: 1
event: {id: platform, title: Platform, languages: [en], publisher: Test, license: CC BY 4.0}
items:
  - id: talk
    title: Talk
    kind: recording
    sources:
"""
SCHEMA = json.loads((REPO / "oerpack" / "schema" / "manifest.schema.json").read_text("utf-8"))


def _write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + f"      - {source}\n", encoding="utf-8")
    (tmp_path / "talk.mp4").write_bytes(b"x")
    return path


def _schema_ok(path: Path) -> bool:
    try:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), SCHEMA)
    except jsonschema.ValidationError:
        return False
    return True


def test_via_reaches_the_fetch_task(tmp_path: Path) -> None:
    path = _write(tmp_path, "{lang: en, url: 'https://video.example/watch?v=abc', via: yt-dlp}")
    manifest = load_manifest(path)
    assert manifest.all_sources()[0].via == "yt-dlp"
    tasks = plan_fetch(
        manifest, read_lock(tmp_path / "none.lock.json"), Settings(cache_dir=tmp_path / "cache")
    )
    assert [(t.key, t.via, t.url) for t in tasks] == [
        ("talk.en", "yt-dlp", "https://video.example/watch?v=abc")
    ]
    assert _schema_ok(path)


def test_plain_sources_have_no_via(tmp_path: Path) -> None:
    path = _write(tmp_path, "{lang: en, url: 'https://example.org/talk.mp4'}")
    assert load_manifest(path).all_sources()[0].via is None
    assert _schema_ok(path)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{lang: en, url: 'https://v.example/w', via: wget}", "must be one of yt-dlp"),
        ("{lang: en, path: talk.mp4, via: yt-dlp}", "'via: yt-dlp' needs a 'url'"),
    ],
)
def test_bad_via_is_a_manifest_error_with_a_line(tmp_path: Path, source: str, message: str) -> None:
    path = _write(tmp_path, source)
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert message in str(error.value) and error.value.line == 8
    assert not _schema_ok(path)


def test_schema_documents_via() -> None:
    via: dict[str, Any] = SCHEMA["$defs"]["source"]["properties"]["via"]
    assert via["enum"] == ["yt-dlp"] and "video-platforms" in via["description"]
