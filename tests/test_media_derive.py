"""Pure tests: which derivations a plan needs, their cache keys, and the resulting plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from oerpack import layout
from oerpack.media.derive import (
    MediaOptions,
    Task,
    apply_conversions,
    derived_files,
    plan_conversions,
    plan_extras,
    plan_profiles,
)
from oerpack.models import Blob, Event, Item, Manifest, Source, Text
from oerpack.plan import PackageFile, Plan


def _file(key: str, ext: str, media: str, size: int = 1000) -> PackageFile:
    md5 = (key.encode().hex() + "0" * 32)[:32]
    return PackageFile(
        key=key,
        item_id=key.split(".")[0],
        lang="en",
        sha256=md5 * 2,
        md5=md5,
        size=size,
        ext=ext,
        dest=layout.storage_path(md5, ext),
        media=media,
    )


FILES = (
    _file("deck.en", "pptx", "other"),
    _file("doc.en", "pdf", "document"),
    _file("talk.en", "mp4", "video", size=2 * 10**9),
    _file("talk.subs", "srt", "other"),
)


def _plan(files: tuple[PackageFile, ...] = FILES) -> Plan:
    items = tuple(
        Item(
            id=i,
            title=Text((("en", i),)),
            kind="document",
            sources=tuple(
                Source(key=f.key, id=f.key.split(".")[1], lang="en")
                for f in files
                if f.item_id == i
            ),
        )
        for i in sorted({f.item_id for f in files})
    )
    event = Event(
        id="e",
        title=Text((("en", "E"),)),
        languages=("en",),
        publisher=Text((("en", "P"),)),
        license="CC BY 4.0",
    )
    return Plan(
        manifest=Manifest(path=Path("m.yaml"), event=event, items=items),
        package_id="e",
        channel_id="c",
        channel_version=1,
        content_hash="h",
        files=files,
    )


@pytest.mark.parametrize(
    ("options", "have_office", "expected"),
    [
        (MediaOptions(), True, [("office-pdf", "deck.en", None)]),
        (MediaOptions(), False, []),
        (
            MediaOptions(office=False, video_profile="lite"),
            True,
            [("transcode", "talk.en", "lite")],
        ),
        (
            MediaOptions(video_profile="standard"),
            True,
            [("office-pdf", "deck.en", None), ("transcode", "talk.en", "standard")],
        ),
        # A 2 GB hour: standard (~740 MB) fits 1 GB, only lite (~190 MB) fits 500 MB.
        (MediaOptions(fit=10**9, office=False), True, [("transcode", "talk.en", "standard")]),
        (MediaOptions(fit=5 * 10**8, office=False), True, [("transcode", "talk.en", "lite")]),
    ],
)
def test_plan_conversions(
    options: MediaOptions, have_office: bool, expected: list[tuple[str, str, str | None]]
) -> None:
    plan = _plan()
    choices = plan_profiles(plan, options, {"talk.en": 3600.0})
    tasks = plan_conversions(plan, options, choices, have_office=have_office)
    assert [(t.kind, t.key, t.profile) for t in tasks] == expected


def test_cache_key_depends_on_input_and_profile_only() -> None:
    a = Task("transcode", "k", "k", "s" * 64, "mp4", profile="lite", out_ext="mp4")
    assert (
        a.cache_key
        == Task(
            "transcode", "other", "other", "s" * 64, "mp4", profile="lite", out_ext="mp4"
        ).cache_key
    )
    assert (
        a.cache_key
        != Task("transcode", "k", "k", "t" * 64, "mp4", profile="lite", out_ext="mp4").cache_key
    )
    assert (
        a.cache_key
        != Task("transcode", "k", "k", "s" * 64, "mp4", profile="standard", out_ext="mp4").cache_key
    )


def test_apply_conversions_adds_pdfs_and_replaces_videos() -> None:
    plan = _plan()
    pdf = Task("office-pdf", "deck.en", "deck.en~pdf", "x" * 64, "pptx", out_ext="pdf")
    mp4 = Task("transcode", "talk.en", "talk.en", "y" * 64, "mp4", profile="lite", out_ext="mp4")
    blob = Blob(path=Path("b"), size=5, sha256="a" * 64, md5="b" * 32)
    new = apply_conversions(plan, {pdf: blob, mp4: blob})
    keys = [f.key for f in new.files]
    assert keys == ["deck.en", "deck.en~pdf", "doc.en", "talk.en", "talk.subs"]
    converted = new.file_for("deck.en~pdf")
    assert (converted.origin, converted.media, converted.item_id) == ("deck.en", "document", "deck")
    assert converted.dest == layout.storage_path("b" * 32, "pdf")
    talk = new.file_for("talk.en")
    assert (talk.profile, talk.size, talk.ext) == ("lite", 5, "mp4")
    assert [f.key for f in new.files_of(new.manifest.items[0])] == ["deck.en", "deck.en~pdf"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            MediaOptions(),
            [
                ("thumbnail", "doc.en", "png"),
                ("pages", "doc.en", "jpg"),
                ("thumbnail", "talk.en", "jpg"),
                ("subtitle", "talk.en", "vtt"),
            ],
        ),
        (MediaOptions(thumbnails=False, page_images=False), [("subtitle", "talk.en", "vtt")]),
    ],
)
def test_plan_extras(options: MediaOptions, expected: list[tuple[str, str, str]]) -> None:
    tasks = plan_extras(_plan(), options)
    assert [(t.kind, t.of, t.out_ext) for t in tasks] == expected


def test_derived_files_places_pages_and_presets() -> None:
    plan = _plan()
    blobs = tuple(
        Blob(path=Path(f"p{i}"), size=i, sha256=f"{i}" * 64, md5=f"{i}" * 32) for i in (1, 2)
    )
    pages = derived_files(plan, Task("pages", "doc.en", "doc.en", "s", "pdf", out_ext="jpg"), blobs)
    assert [(p.dest, p.index, p.preset) for p in pages] == [
        ("pages/doc.en/p0001.jpg", 1, None),
        ("pages/doc.en/p0002.jpg", 2, None),
    ]
    (thumb,) = derived_files(
        plan, Task("thumbnail", "doc.en", "doc.en", "s", "pdf", out_ext="png"), blobs[:1]
    )
    assert (thumb.role, thumb.preset, thumb.dest) == (
        "thumbnail",
        "document_thumbnail",
        layout.storage_path("1" * 32, "png"),
    )
    (sub,) = derived_files(
        plan,
        Task("subtitle", "talk.subs", "talk.en", "s", "srt", lang="en", out_ext="vtt"),
        blobs[:1],
    )
    assert (sub.role, sub.preset, sub.lang) == ("subtitle", "video_subtitle", "en")
