"""The channel tree with what oerpack.media made (pure): converted PDFs become document
nodes, thumbnails and subtitles become supplementary files, subtitle sources become tracks;
and the channel version follows derived outputs."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from oerpack import layout
from oerpack.kolibri import build_channel, channel_db_path, write_channel_db
from oerpack.manifest import load_manifest
from oerpack.models import Lock, LockEntry
from oerpack.plan import DerivedFile, PackageFile, Plan, plan_package, settle_content_hash
from oerpack.versions import version_for
from tests.support.corpus import TITLES, write_manifest

URL = "http://127.0.0.1:9/media"
EXTS = {
    "guide.en": "pdf",
    "guide.ru": "pdf",
    "talk.en": "pptx",
    "talk.ru": "pdf",
    "recording.ru": "mp4",
    "recording.subs": "srt",
}


def _digest(text: str) -> str:
    return text.encode().hex().ljust(64, "0")[:64]


def make_plan(tmp_path: Path, lock: Lock | None = None, *, changed: str = "") -> Plan:
    """The corpus manifest plus an SRT beside the recording, with a made-up lock."""
    path = write_manifest(tmp_path, base_url=URL)
    data = json.loads(path.read_text(encoding="utf-8"))
    recording = data["sections"][0]["items"][1]
    recording["sources"].append({"id": "subs", "lang": "en", "url": f"{URL}/rec.srt"})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    entries = {
        key: LockEntry(
            sha256=_digest(key + (changed if key == "guide.ru" else "")),
            md5=_digest(key)[:32],
            size=1000,
            final_url=f"http://127.0.0.1/{key}.{ext}",
        )
        for key, ext in EXTS.items()
    }
    base = lock or Lock()
    return plan_package(load_manifest(path), replace(base, sources=tuple(sorted(entries.items()))))


def converted(plan: Plan, key: str = "talk.en") -> PackageFile:
    md5 = _digest(f"{key}~pdf")[:32]
    return PackageFile(
        key=f"{key}~pdf",
        item_id=key.split(".")[0],
        lang="en",
        sha256=_digest(f"{key}~pdf"),
        md5=md5,
        size=500,
        ext="pdf",
        dest=layout.storage_path(md5, "pdf"),
        media="document",
        origin=key,
    )


def extra(
    of: str,
    role: str,
    ext: str,
    preset: str | None,
    *,
    lang: str | None = None,
    source: str | None = None,
    seed: str = "",
) -> DerivedFile:
    md5 = _digest(f"{of}/{role}/{lang}{seed}")[:32]
    return DerivedFile(
        of=of,
        role=role,
        dest=layout.storage_path(md5, ext),
        sha256=md5 * 2,
        md5=md5,
        size=100,
        ext=ext,
        preset=preset,
        lang=lang,
        source=source,
    )


def with_media(plan: Plan, *derived: DerivedFile, convert: bool = False) -> Plan:
    """The plan as oerpack.media leaves it: a converted PDF right after its original."""
    files: list[PackageFile] = []
    for package_file in plan.files:
        files.append(package_file)
        if convert and package_file.key == "talk.en":
            files.append(converted(plan))
    return replace(plan, files=tuple(files), derived=derived)


GUIDE, VIDEO = TITLES["guide"]["en"], TITLES["recording"]["ru"]
PDF_THUMB = extra("guide.en", "thumbnail", "png", "document_thumbnail")
POSTER = extra("recording.ru", "thumbnail", "jpg", "video_thumbnail")
SUBS = extra(
    "recording.ru", "subtitle", "vtt", "video_subtitle", lang="en", source="recording.subs"
)


@pytest.mark.parametrize(
    ("derived", "expected"),
    [
        ((), set()),
        ((PDF_THUMB,), {(GUIDE, "document_thumbnail", "png", True, None)}),
        (
            (POSTER, SUBS),
            {
                (VIDEO, "video_thumbnail", "jpg", True, None),
                (VIDEO, "video_subtitle", "vtt", False, "en"),
            },
        ),
        # Only the first thumbnail; page images have no preset and stay out.
        (
            (
                PDF_THUMB,
                extra("guide.en", "thumbnail", "png", "document_thumbnail", seed="2"),
                extra("guide.en", "page", "jpg", None),
            ),
            {(GUIDE, "document_thumbnail", "png", True, None)},
        ),
        # What Kolibri would accept but cannot play is left out.
        (
            (
                extra("guide.en", "thumbnail", "gif", "document_thumbnail"),
                extra("guide.en", "thumbnail", "jpg", "video_thumbnail"),
                extra("recording.ru", "subtitle", "srt", "video_subtitle", lang="en"),
                extra("recording.ru", "subtitle", "vtt", "video_subtitle"),
                extra("guide.en", "subtitle", "vtt", "video_subtitle", lang="en"),
            ),
            set(),
        ),
    ],
    ids=["none", "pdf-thumbnail", "poster-and-subtitle", "first-thumbnail-only", "misfits"],
)
def test_supplementary_files(
    tmp_path: Path,
    derived: tuple[DerivedFile, ...],
    expected: set[tuple[str, str, str, bool, str | None]],
) -> None:
    channel = build_channel(with_media(make_plan(tmp_path), *derived))
    titles = {n.id: n.title for n in channel.nodes}
    got = {
        (titles[f.node_id], f.preset, f.ext, f.thumbnail, f.lang)
        for f in channel.files
        if f.supplementary
    }
    assert got == expected
    main = [f for f in channel.files if not f.supplementary]
    assert len(main) == 4 and all(f.priority == 1 and not f.thumbnail for f in main)
    assert len({f.id for f in channel.files}) == len(channel.files)


def test_converted_office_document_becomes_a_document_node(tmp_path: Path) -> None:
    plain = build_channel(make_plan(tmp_path))
    channel = build_channel(with_media(make_plan(tmp_path), convert=True))
    talk = [
        (n.title, n.lang, n.kind)
        for n in channel.nodes
        if n.title.startswith("Дист") or n.title.startswith("Distance")
    ]
    assert talk == [
        (TITLES["talk"]["en"], "en", "document"),
        (TITLES["talk"]["ru"], "ru", "document"),
    ]
    (pdf,) = [f for f in channel.files if f.md5 == converted(make_plan(tmp_path)).md5]
    assert (pdf.preset, pdf.ext, pdf.lang) == ("document", "pdf", "en")
    assert not any(f.ext == "pptx" for f in channel.files)
    assert len(channel.nodes) == len(plain.nodes) + 1
    # Without the PDF the PPTX is viewer-only; with it, Kolibri has its content. An SRT
    # that became the recording's track is not viewer-only either.
    assert plain.skipped == ("talk.en", "recording.subs")
    assert build_channel(with_media(make_plan(tmp_path), SUBS)).skipped == ("talk.en",)
    assert channel.skipped == ("recording.subs",)


def test_node_ids_do_not_move_when_media_is_added(tmp_path: Path) -> None:
    plain = build_channel(make_plan(tmp_path))
    rich = build_channel(with_media(make_plan(tmp_path), PDF_THUMB, POSTER, SUBS, convert=True))
    before = {(n.id, n.content_id) for n in plain.nodes}
    assert before < {(n.id, n.content_id) for n in rich.nodes}
    main = {f.id for f in plain.files}
    assert main <= {f.id for f in rich.files}


def test_database_rows_for_thumbnails_and_subtitles(tmp_path: Path) -> None:
    plan = with_media(
        make_plan(tmp_path), PDF_THUMB, POSTER, replace(SUBS, lang="kk"), convert=True
    )
    channel = build_channel(plan)
    db_path = write_channel_db(channel, channel_db_path(tmp_path / "pkg", channel.id))
    with closing(sqlite3.connect(db_path)) as db:
        rows = db.execute(
            "SELECT n.title, f.preset, f.supplementary, f.thumbnail, f.priority, f.lang_id, "
            "l.extension, l.file_size FROM content_file f "
            "JOIN content_contentnode n ON n.id = f.contentnode_id "
            "JOIN content_localfile l ON l.id = f.local_file_id "
            "WHERE f.supplementary ORDER BY f.priority, f.preset"
        ).fetchall()
        langs = db.execute(
            "SELECT id, lang_code, lang_name, lang_direction FROM content_language ORDER BY id"
        ).fetchall()
    assert rows == [
        (GUIDE, "document_thumbnail", 1, 1, 2, None, "png", 100),
        (VIDEO, "video_thumbnail", 1, 1, 2, None, "jpg", 100),
        (VIDEO, "video_subtitle", 1, 0, 3, "kk", "vtt", 100),
    ]
    assert langs == [
        ("en", "en", "English", "ltr"),
        ("kk", "kk", "Қазақ тілі", "ltr"),
        ("ru", "ru", "Русский", "ltr"),
    ]


def _built(
    lock: Lock, plan: Plan, *derived: DerivedFile, convert: bool = False
) -> tuple[Plan, Lock]:
    """What a build does: settle the content hash, then take its version from the lock."""
    settled = settle_content_hash(with_media(plan, *derived, convert=convert))
    assigned, lock = version_for(lock, settled.content_hash)
    return replace(settled, channel_version=assigned.version), lock


@pytest.mark.parametrize(
    ("second", "version"),
    [
        ((PDF_THUMB, POSTER), 1),  # nothing changed
        ((POSTER, PDF_THUMB), 1),  # the same, found in another order
        ((PDF_THUMB,), 2),  # --no-thumbnails for videos, say
        ((PDF_THUMB, POSTER, SUBS), 2),  # a new subtitle
        ((PDF_THUMB, replace(POSTER, sha256="f" * 64)), 2),  # another poster
        ((), 2),
    ],
    ids=["same", "same-reordered", "fewer", "more", "changed", "none"],
)
def test_version_follows_derived_outputs(
    tmp_path: Path, second: tuple[DerivedFile, ...], version: int
) -> None:
    first, lock = _built(Lock(), make_plan(tmp_path), PDF_THUMB, POSTER)
    assert first.channel_version == 1
    again, _ = _built(lock, make_plan(tmp_path), *second)
    assert again.channel_version == version
    assert (again.content_hash == first.content_hash) == (version == 1)


def test_version_follows_conversions_and_identical_content_keeps_its_version(
    tmp_path: Path,
) -> None:
    first, lock = _built(Lock(), make_plan(tmp_path))
    pdf, lock = _built(lock, make_plan(tmp_path), convert=True)
    assert pdf.channel_version == 2
    plan = make_plan(tmp_path)
    video = plan.file_for("recording.ru")
    lite = replace(
        plan,
        files=tuple(
            replace(f, sha256="e" * 64, profile="lite") if f is video else f for f in plan.files
        ),
    )
    transcoded, lock = _built(lock, lite, convert=True)
    assert transcoded.channel_version == 3
    again, lock = _built(lock, lite, convert=True)
    assert again.channel_version == 3
    back, lock = _built(lock, make_plan(tmp_path))  # the first build's content again
    assert (back.channel_version, back.content_hash) == (1, first.content_hash)
    assert dict(lock.versions) == {
        first.content_hash: 1,
        pdf.content_hash: 2,
        transcoded.content_hash: 3,
    }


def test_changed_source_gets_one_new_version(tmp_path: Path) -> None:
    first, lock = _built(Lock(), make_plan(tmp_path), PDF_THUMB)
    thumb = replace(PDF_THUMB, sha256="d" * 64)
    built, lock = _built(lock, make_plan(tmp_path, changed="!"), thumb)
    assert built.channel_version == 2
    assert _built(lock, make_plan(tmp_path, changed="!"), thumb)[0].channel_version == 2
    # A lock written before the table existed: its last build keeps its number.
    old = Lock(channel_version=7, content_hash=first.content_hash)
    assert _built(old, make_plan(tmp_path), PDF_THUMB)[0].channel_version == 7
    assert _built(old, make_plan(tmp_path, changed="!"), thumb)[0].channel_version == 8
