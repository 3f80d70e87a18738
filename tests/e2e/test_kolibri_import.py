"""Import built packages into the real Kolibri and check the result from Kolibri's side."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oerpack.build import build_package
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.support.corpus import TITLES, write_corpus
from tests.support.media import make_noisy_video, make_pdf

pytestmark = pytest.mark.e2e

VENV = Path(
    os.environ.get("OERPACK_KOLIBRI_VENV", Path.home() / ".cache/oerpack-test/kolibri-0.19.5")
)
KOLIBRI = VENV / "bin" / "kolibri"
MARK = "OERPACK_JSON:"

# Runs inside Kolibri's Django shell: everything a test needs to know about one channel.
QUERY = """
import json
from kolibri.core.content.models import ChannelMetadata, ContentNode, File
channel = ChannelMetadata.objects.get(id={channel_id!r})
nodes = []
for node in ContentNode.objects.filter(channel_id=channel.id).order_by("lft"):
    files = File.objects.filter(contentnode=node, supplementary=False)
    nodes.append({{
        "id": node.id, "content_id": node.content_id, "title": node.title, "kind": node.kind,
        "lang": node.lang_id, "available": node.available, "author": node.author,
        "duration": node.duration, "license": node.license_name, "level": node.level,
        "activities": node.learning_activities, "parent": node.parent_id,
        "files": [[f.local_file.id, f.local_file.available, f.preset] for f in files],
        "extras": [{{"preset": f.preset, "thumbnail": f.thumbnail, "lang": f.lang_id,
                     "lang_name": f.lang.lang_name if f.lang else None,
                     "ext": f.local_file.extension, "available": f.local_file.available}}
                   for f in File.objects.filter(contentnode=node, supplementary=True)],
    }})
# The thumbnail URL Kolibri's content API gives each resource (what the Learn UI shows).
from django.test import Client
client = Client()
thumbs = {{}}
for node in nodes:
    if node["kind"] != "topic":
        response = client.get("/api/content/contentnode/%s/" % node["id"])
        thumbs[node["id"]] = response.status_code == 200 and bool(
            response.json().get("thumbnail"))
print({mark!r} + json.dumps({{"version": channel.version, "root": channel.root_id,
                              "nodes": nodes, "api_thumbnails": thumbs}},
                             ensure_ascii=False))
"""


def kolibri(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KOLIBRI_HOME": str(home),
        "KOLIBRI_LISTEN_ADDRESS": "127.0.0.1",
        "KOLIBRI_ZEROCONF_ENABLED": "0",
        "KOLIBRI_DISABLE_PING": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    result = subprocess.run(
        [str(KOLIBRI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def import_package(home: Path, package: Path, channel_id: str) -> dict[str, Any]:
    data = package / "KOLIBRI_DATA"
    kolibri(home, "manage", "importchannel", "disk", channel_id, str(data))
    kolibri(home, "manage", "importcontent", "--fail-on-error", "disk", channel_id, str(data))
    shell = kolibri(home, "manage", "shell", "-c", QUERY.format(channel_id=channel_id, mark=MARK))
    line = next(x for x in shell.stdout.splitlines() if x.startswith(MARK))
    result: dict[str, Any] = json.loads(line[len(MARK) :])
    return result


def forget_pin(manifest: Path, key: str) -> None:
    lock = manifest.with_name(manifest.name + ".lock.json")
    data = json.loads(lock.read_text(encoding="utf-8"))
    del data["sources"][key]
    lock.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def kolibri_available() -> None:
    if not KOLIBRI.exists():
        pytest.fail(f"Kolibri is not installed at {VENV}: run scripts/setup-test-env.sh")


def test_import_then_rebuild_with_one_changed_file(tmp_path: Path, kolibri_available: None) -> None:
    manifest = write_corpus(tmp_path / "src")
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    first = build_package(manifest, tmp_path / "out1", settings)
    channel_id = json.loads((first.package.folder / "oerpack.json").read_text())["channel"]["id"]
    home = tmp_path / "kolibri-home"

    v1 = import_package(home, first.package.folder, channel_id)

    assert v1["version"] == first.channel_version == 1
    nodes = v1["nodes"]
    assert nodes[0]["id"] == v1["root"] and nodes[0]["lang"] == "ru"
    assert all(node["available"] for node in nodes), nodes
    content = {(n["title"], n["lang"], n["kind"]) for n in nodes if n["kind"] != "topic"}
    assert content == {
        (TITLES["guide"]["en"], "en", "document"),
        (TITLES["guide"]["ru"], "ru", "document"),
        (TITLES["talk"]["ru"], "ru", "document"),
        (TITLES["recording"]["ru"], "ru", "video"),
    }  # the PPTX (talk.en) has no node: Kolibri cannot render it
    topics = [n["title"] for n in nodes if n["kind"] == "topic"]
    assert topics == [
        "Вебинары о сельском образовании / Rural education webinars",
        "Документы / Documents",
        "Вебинар 1 / Webinar 1",
    ]
    by_title = {n["title"]: n for n in nodes}
    video = by_title[TITLES["recording"]["ru"]]
    assert video["duration"] == 2 and video["activities"] == "UD5UGM0z"
    assert video["files"][0][1:] == [True, "high_res_video"]
    talk = by_title[TITLES["talk"]["ru"]]
    assert talk["author"] == "Д-р Айгерим Тест" and talk["license"] == "CC BY-SA"
    assert talk["activities"] == "wA01urpi"

    make_pdf(tmp_path / "src/media/guide-ru.pdf", ["Исправленный текст"])
    forget_pin(manifest, "guide.ru")  # what a maintainer's refresh does for a changed file
    second = build_package(manifest, tmp_path / "out2", settings)
    assert second.channel_version == 2

    v2 = import_package(home, second.package.folder, channel_id)

    assert v2["version"] == 2
    assert [(n["id"], n["content_id"]) for n in v2["nodes"]] == [
        (n["id"], n["content_id"]) for n in nodes
    ]
    assert all(node["available"] for node in v2["nodes"]), v2["nodes"]
    old_guide = by_title[TITLES["guide"]["ru"]]["files"][0][0]
    new_guide = {n["title"]: n for n in v2["nodes"]}[TITLES["guide"]["ru"]]["files"][0]
    assert new_guide[0] != old_guide and new_guide[1] is True


MEDIA_MANIFEST = """\
oerpack: 1
event:
  id: kolibri-media-e2e
  title: {en: Media for Kolibri, ru: Медиа для Kolibri}
  languages: [ru, en]
  publisher: Test
  license: CC BY 4.0
items:
  - id: slides
    title: {en: Slides}
    kind: presentation
    sources:
      - {lang: en, path: files/slides.pptx}
  - id: notes
    title: {ru: Заметки}
    kind: document
    sources:
      - {lang: ru, path: files/notes.pdf}
  - id: talk
    title: {en: Talk}
    kind: recording
    sources:
      - {lang: en, path: files/talk.mp4}
      - {id: subs, lang: ru, path: files/talk.srt}
"""
SRT = "1\n00:00:00,500 --> 00:00:01,500\nПривет\n\n2\n00:00:01,600 --> 00:00:02,000\nПока\n"


def write_media_manifest(folder: Path) -> Path:
    from tests.support.office import make_pptx

    files = folder / "files"
    make_pptx(files / "slides.pptx", [("Zebra slide", "Quokka body"), ("Two", "Second")])
    make_pdf(files / "notes.pdf", ["Первая страница", "Вторая страница"])
    make_noisy_video(files / "talk.mp4", seconds=3)  # big enough for 'lite' to be kept
    (files / "talk.srt").write_text(SRT, encoding="utf-8")
    path = folder / "media.yaml"
    path.write_text(MEDIA_MANIFEST, encoding="utf-8")
    return path


def by_kind_and_title(nodes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(n["kind"], n["title"]): n for n in nodes}


def test_import_converted_pdf_thumbnails_and_subtitles(
    tmp_path: Path, kolibri_available: None
) -> None:
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/setup-test-env.sh")
    manifest = write_media_manifest(tmp_path / "src")
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    first = build_package(
        manifest, tmp_path / "out1", settings, make_zip=False, media=MediaOptions(page_images=False)
    )
    record = json.loads((first.package.folder / "oerpack.json").read_text(encoding="utf-8"))
    md5 = {f["key"]: f["md5"] for f in record["files"]}
    assert "slides.en~pdf" in md5
    home = tmp_path / "kolibri-home"

    v1 = import_package(home, first.package.folder, record["channel"]["id"])

    assert v1["version"] == first.channel_version == 1
    assert all(node["available"] for node in v1["nodes"]), v1["nodes"]
    nodes = by_kind_and_title(v1["nodes"])
    assert {key for key in nodes if key[0] != "topic"} == {
        ("document", "Slides"),
        ("document", "Заметки"),
        ("video", "Talk"),
    }
    slides, notes, talk = (
        nodes[("document", "Slides")],
        nodes[("document", "Заметки")],
        nodes[("video", "Talk")],
    )
    # The PPTX itself is nowhere in Kolibri: its PDF is the node's file.
    assert slides["files"] == [[md5["slides.en~pdf"], True, "document"]]
    assert md5["slides.en"] not in {f[0] for n in v1["nodes"] for f in n["files"]}
    assert notes["files"] == [[md5["notes.ru"], True, "document"]]
    assert talk["files"] == [[md5["talk.en"], True, "high_res_video"]]
    for node in (slides, notes):
        assert node["extras"] == [
            {
                "preset": "document_thumbnail",
                "thumbnail": True,
                "lang": None,
                "lang_name": None,
                "ext": "png",
                "available": True,
            }
        ]
    assert sorted(talk["extras"], key=lambda e: e["preset"]) == [
        {
            "preset": "video_subtitle",
            "thumbnail": False,
            "lang": "ru",
            "lang_name": "Русский",
            "ext": "vtt",
            "available": True,
        },
        {
            "preset": "video_thumbnail",
            "thumbnail": True,
            "lang": None,
            "lang_name": None,
            "ext": "jpg",
            "available": True,
        },
    ]
    assert v1["api_thumbnails"] == {node["id"]: True for node in (slides, notes, talk)}

    # Another video profile changes the video and its poster: Kolibri must re-import.
    lite = MediaOptions(page_images=False, video_profile="lite")
    second = build_package(manifest, tmp_path / "out2", settings, make_zip=False, media=lite)
    assert second.channel_version == 2

    v2 = import_package(home, second.package.folder, record["channel"]["id"])

    assert v2["version"] == 2
    assert [n["id"] for n in v2["nodes"]] == [n["id"] for n in v1["nodes"]]
    assert all(node["available"] for node in v2["nodes"]), v2["nodes"]
    talk2 = by_kind_and_title(v2["nodes"])[("video", "Talk")]
    assert talk2["files"][0][0] != md5["talk.en"] and talk2["files"][0][1] is True
    assert {e["preset"]: e["available"] for e in talk2["extras"]} == {
        "video_subtitle": True,
        "video_thumbnail": True,
    }
    # Building the same again keeps the version (the same DB would be ignored anyway).
    third = build_package(manifest, tmp_path / "out3", settings, make_zip=False, media=lite)
    assert third.channel_version == 2
