"""Import built packages into the real Kolibri and check the result from Kolibri's side."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oerpack.build import build_package
from oerpack.settings import Settings
from tests.support.corpus import TITLES, write_corpus
from tests.support.media import make_pdf

pytestmark = pytest.mark.e2e

VENV = Path(os.environ.get("OERPACK_KOLIBRI_VENV",
                           Path.home() / ".cache/oerpack-test/kolibri-0.19.5"))
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
    }})
print({mark!r} + json.dumps({{"version": channel.version, "root": channel.root_id,
                              "nodes": nodes}}, ensure_ascii=False))
"""


def kolibri(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KOLIBRI_HOME": str(home), "KOLIBRI_LISTEN_ADDRESS": "127.0.0.1",
           "KOLIBRI_ZEROCONF_ENABLED": "0", "KOLIBRI_DISABLE_PING": "1",
           "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([str(KOLIBRI), *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def import_package(home: Path, package: Path, channel_id: str) -> dict[str, Any]:
    data = package / "KOLIBRI_DATA"
    kolibri(home, "manage", "importchannel", "disk", channel_id, str(data))
    kolibri(home, "manage", "importcontent", "--fail-on-error", "disk", channel_id, str(data))
    shell = kolibri(home, "manage", "shell", "-c",
                    QUERY.format(channel_id=channel_id, mark=MARK))
    line = next(x for x in shell.stdout.splitlines() if x.startswith(MARK))
    result: dict[str, Any] = json.loads(line[len(MARK):])
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


def test_import_then_rebuild_with_one_changed_file(tmp_path: Path,
                                                   kolibri_available: None) -> None:
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
        (TITLES["guide"]["en"], "en", "document"), (TITLES["guide"]["ru"], "ru", "document"),
        (TITLES["talk"]["ru"], "ru", "document"), (TITLES["recording"]["ru"], "ru", "video"),
    }  # the PPTX (talk.en) has no node: Kolibri cannot render it
    topics = [n["title"] for n in nodes if n["kind"] == "topic"]
    assert topics == ["Вебинары о сельском образовании / Rural education webinars",  # noqa: RUF001
                      "Документы / Documents", "Вебинар 1 / Webinar 1"]
    by_title = {n["title"]: n for n in nodes}
    video = by_title[TITLES["recording"]["ru"]]
    assert video["duration"] == 2 and video["activities"] == "UD5UGM0z"
    assert video["files"][0][1:] == [True, "high_res_video"]
    talk = by_title[TITLES["talk"]["ru"]]
    assert talk["author"] == "Д-р Айгерим Тест" and talk["license"] == "CC BY-SA"  # noqa: RUF001
    assert talk["activities"] == "wA01urpi"

    make_pdf(tmp_path / "src/media/guide-ru.pdf", ["Исправленный текст"])
    forget_pin(manifest, "guide.ru")  # what a maintainer's refresh does for a changed file
    second = build_package(manifest, tmp_path / "out2", settings)
    assert second.channel_version == 2

    v2 = import_package(home, second.package.folder, channel_id)

    assert v2["version"] == 2
    assert [(n["id"], n["content_id"]) for n in v2["nodes"]] == [
        (n["id"], n["content_id"]) for n in nodes]
    assert all(node["available"] for node in v2["nodes"]), v2["nodes"]
    old_guide = by_title[TITLES["guide"]["ru"]]["files"][0][0]
    new_guide = {n["title"]: n for n in v2["nodes"]}[TITLES["guide"]["ru"]]["files"][0]
    assert new_guide[0] != old_guide and new_guide[1] is True
