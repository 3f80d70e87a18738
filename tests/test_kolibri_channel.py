"""The channel tree (pure) and the schema-5 database written from it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from oerpack.kolibri import build_channel, channel_db_path, write_channel_db
from oerpack.kolibri.schema import TABLES
from oerpack.kolibri.tree import Channel, license_fields
from oerpack.manifest import load_manifest
from oerpack.models import Lock, LockEntry
from oerpack.plan import Plan, plan_package, with_media_facts
from tests.support.corpus import write_manifest

# Content schema 5, from the facts measured against Kolibri 0.19.5 (not from our DDL).
SCHEMA_5 = {
    "content_channelmetadata": {
        "id",
        "name",
        "description",
        "tagline",
        "author",
        "version",
        "thumbnail",
        "last_updated",
        "min_schema_version",
        "root_id",
    },
    "content_contentnode": {
        "id",
        "license_name",
        "license_description",
        "title",
        "coach_content",
        "content_id",
        "channel_id",
        "description",
        "sort_order",
        "license_owner",
        "author",
        "kind",
        "available",
        "options",
        "grade_levels",
        "resource_types",
        "learning_activities",
        "accessibility_labels",
        "categories",
        "learner_needs",
        "duration",
        "lft",
        "rght",
        "tree_id",
        "level",
        "lang_id",
        "parent_id",
    },
    "content_file": {
        "id",
        "preset",
        "supplementary",
        "thumbnail",
        "priority",
        "contentnode_id",
        "lang_id",
        "local_file_id",
    },
    "content_localfile": {"id", "extension", "available", "file_size"},
    "content_language": {"id", "lang_code", "lang_subcode", "lang_name", "lang_direction"},
    "content_contenttag": {"id", "tag_name"},
    "content_contentnode_tags": {"id", "contentnode_id", "contenttag_id"},
    "content_contentnode_related": {"id", "from_contentnode_id", "to_contentnode_id"},
    "content_contentnode_has_prerequisite": {"id", "from_contentnode_id", "to_contentnode_id"},
    "content_assessmentmetadata": {
        "id",
        "assessment_item_ids",
        "number_of_assessments",
        "mastery_model",
        "randomize",
        "is_manipulable",
        "contentnode_id",
    },
}
URL = "http://127.0.0.1:9/media"
EXTS = {
    "guide.en": "pdf",
    "guide.ru": "pdf",
    "talk.en": "pptx",
    "talk.ru": "pdf",
    "recording.ru": "mp4",
}


def make_plan(tmp_path: Path, *, lock: Lock | None = None, changed: str | None = None) -> Plan:
    """A plan for the test corpus without fetching: the lock is made up (pure)."""
    manifest = load_manifest(write_manifest(tmp_path, base_url=URL))
    entries = {}
    for key, ext in EXTS.items():
        digest = f"{key}{'!' if key == changed else ''}".encode().hex().ljust(64, "0")[:64]
        entries[key] = LockEntry(
            sha256=digest, md5=digest[:32], size=1000, final_url=f"http://127.0.0.1/{key}.{ext}"
        )
    base = lock or Lock()
    merged = Lock(
        sources=tuple(sorted(entries.items())),
        channel_version=base.channel_version,
        content_hash=base.content_hash,
    )
    return replace(plan_package(manifest, merged), channel_version=1)  # a build's first


def check_mptt(channel: Channel) -> None:
    nodes = {n.id: n for n in channel.nodes}
    root = nodes[channel.root_id]
    assert (root.lft, root.rght, root.level, root.parent_id) == (1, 2 * len(nodes), 0, None)
    numbers = sorted(x for n in nodes.values() for x in (n.lft, n.rght))
    assert numbers == list(range(1, 2 * len(nodes) + 1))
    for node in nodes.values():
        assert node.lft < node.rght
        if node.parent_id:
            parent = nodes[node.parent_id]
            assert parent.lft < node.lft and node.rght < parent.rght
            assert node.level == parent.level + 1
        leaf = node.rght == node.lft + 1
        assert leaf == (node.kind != "topic")


def test_tree_shape_titles_and_mptt(tmp_path: Path) -> None:
    channel = build_channel(with_media_facts(make_plan(tmp_path), {}, {"recording.ru": 2.04}))
    check_mptt(channel)
    rows = [(n.level, n.kind, n.title, n.lang) for n in channel.nodes]
    assert rows == [
        (0, "topic", "Вебинары о сельском образовании / Rural education webinars", "ru"),
        (1, "topic", "Документы / Documents", None),
        (2, "document", "Teacher guide", "en"),
        (2, "document", "Руководство для учителя", "ru"),
        (1, "topic", "Вебинар 1 / Webinar 1", None),
        (2, "document", "Дистанционное обучение в сельских школах", "ru"),
        (2, "video", "Запись вебинара", "ru"),
    ]
    video = channel.nodes[-1]
    assert (video.duration, video.learning_activities) == (2, "UD5UGM0z")
    assert channel.nodes[2].learning_activities == "wA01urpi"
    assert channel.nodes[5].author == "Д-р Айгерим Тест"
    assert channel.skipped == ("talk.en",)
    assert {f.preset for f in channel.files} == {"document", "high_res_video"}
    assert [lang.id for lang in channel.languages] == ["en", "ru"]


def test_ids_are_stable_when_a_file_changes_and_the_hash_follows_content(tmp_path: Path) -> None:
    first = make_plan(tmp_path)
    same = make_plan(tmp_path)
    changed = make_plan(tmp_path, changed="guide.ru")
    assert first.content_hash == same.content_hash != changed.content_hash
    a, b = build_channel(first), build_channel(changed)
    assert [(n.id, n.content_id) for n in a.nodes] == [(n.id, n.content_id) for n in b.nodes]
    assert {f.md5 for f in a.files} != {f.md5 for f in b.files}
    assert all(len(n.id) == 32 and int(n.id, 16) >= 0 for n in a.nodes)


def test_moving_manifest_lines_keeps_the_version(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    manifest_path = tmp_path / "manifest.yaml"
    manifest_path.write_text("\n\n" + manifest_path.read_text(encoding="utf-8"), "utf-8")
    lock = Lock(channel_version=plan.channel_version, content_hash=plan.content_hash)
    manifest = load_manifest(manifest_path)
    again = plan_package(
        manifest,
        replace(
            lock,
            sources=tuple(
                (
                    f.key,
                    LockEntry(
                        sha256=f.sha256,
                        md5=f.md5,
                        size=f.size,
                        final_url=f"http://127.0.0.1/x.{f.ext}",
                    ),
                )
                for f in plan.files
            ),
        ),
    )
    assert again.content_hash == plan.content_hash


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CC BY 4.0", ("CC BY", None)),
        ("CC BY-NC-SA 3.0", ("CC BY-NC-SA", None)),
        ("Public Domain", ("Public Domain", None)),
        (
            "not-stated",
            ("Special Permissions", "The publisher states no licence for this material."),
        ),
        ("Custom terms", ("Special Permissions", "Custom terms")),
    ],
)
def test_license_fields(tmp_path: Path, text: str, expected: tuple[str, str | None]) -> None:
    event = replace(load_manifest(write_manifest(tmp_path, base_url=URL)).event, license=text)
    assert license_fields(event) == expected


def test_database_has_every_schema_5_column_and_is_reproducible(tmp_path: Path) -> None:
    channel = build_channel(make_plan(tmp_path))
    one = write_channel_db(channel, channel_db_path(tmp_path / "a", channel.id))
    two = write_channel_db(channel, channel_db_path(tmp_path / "b", channel.id))
    assert one.read_bytes() == two.read_bytes()
    assert one.name == f"{channel.id}.sqlite3"
    with closing(sqlite3.connect(one)) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == set(TABLES) == set(SCHEMA_5)
        for table, columns in SCHEMA_5.items():
            assert {r[1] for r in db.execute(f"PRAGMA table_info({table})")} == columns
        meta = db.execute(
            "SELECT id, version, min_schema_version, root_id, last_updated "
            "FROM content_channelmetadata"
        ).fetchall()
        assert meta == [(channel.id, 1, "5", channel.root_id, None)]
        local = db.execute("SELECT id, extension, file_size FROM content_localfile").fetchall()
        assert sorted(local) == sorted({(f.md5, f.ext, f.size) for f in channel.files})
        assert db.execute("SELECT count(*) FROM content_contentnode").fetchone() == (7,)
