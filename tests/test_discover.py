"""``oerpack discover`` on the vCASIE-shaped page reproduces manifests/vcasie-2020.yaml's
structure; the page reading and source matching underneath, table-driven."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.eventpage.links import PageLink, parse_page
from oerpack.eventpage.model import DraftSpeaker, label_language, read_event_page
from oerpack.eventpage.resolve import resolve_sources, similarity
from oerpack.manifest import load_manifest
from oerpack.models import Manifest
from tests.conftest import REPO
from tests.support.eventpage import default_paths, vcasie_page
from tests.support.server import FaultServer

VCASIE = REPO / "manifests" / "vcasie-2020.yaml"
BASE = "http://127.0.0.1:9"


def _shape(manifest: Manifest) -> list[object]:
    def items(seq: tuple[object, ...]) -> list[object]:
        return [
            (
                item.kind,
                [s.name.get("en") for s in item.speakers],  # type: ignore[attr-defined]
                [s.lang for s in item.sources],
            )  # type: ignore[attr-defined]
            for item in seq
        ]

    return [items(manifest.items)] + [
        (s.date, s.start, s.end, s.organiser.get("en") if s.organiser else None, items(s.items))
        for s in manifest.sections
    ]


def test_discover_reproduces_the_vcasie_manifest(fault_server: FaultServer, tmp_path: Path) -> None:
    page = vcasie_page(fault_server.base_url)
    fault_server.add("/event", page.encode("utf-8"), content_type="text/html; charset=utf-8")
    result = CliRunner().invoke(main, ["discover", fault_server.url("/event")])
    assert result.exit_code == 0, result.output
    draft = tmp_path / "draft.yaml"
    draft.write_text(result.stdout, encoding="utf-8")
    drafted, expected = load_manifest(draft), load_manifest(VCASIE)
    assert _shape(drafted) == _shape(expected)
    assert [s.id for s in drafted.sections] == [s.id for s in expected.sections]
    assert len(drafted.all_sources()) == 34
    assert [s.title.get("en") for s in drafted.sections] == [
        s.title.get("en") for s in expected.sections
    ]
    groups = [i.group.get("en") if i.group else None for i in drafted.all_items()]
    assert groups == [i.group.get("en") if i.group else None for i in expected.all_items()]
    urls = {s.url for s in drafted.all_sources()}
    assert urls == {fault_server.url(p) for p in default_paths().values()}
    assert drafted.event.pages == (fault_server.url("/event"),)
    assert drafted.event.contacts == expected.event.contacts
    validated = CliRunner().invoke(main, ["validate", str(draft)])
    assert validated.exit_code == 0
    assert "17 items, 34 sources (0 unresolved)" in validated.stdout


def test_the_draft_resolves_the_real_manifest_and_vice_versa() -> None:
    page = read_event_page(parse_page(vcasie_page(BASE), BASE + "/event"))
    resolution = resolve_sources(load_manifest(VCASIE), page)
    assert resolution.misses == ()
    assert dict((k, link.url) for k, link in resolution.links) == {
        key: BASE + path for key, path in default_paths().items()
    }
    assert resolution.unclaimed == ()


def test_renamed_titles_still_resolve_and_unknown_ones_do_not() -> None:
    manifest = load_manifest(VCASIE)
    page = read_event_page(parse_page(vcasie_page(BASE), BASE + "/event"))
    retitled = [
        replace(
            e,
            title=e.title.replace("Republic of Uzbekistan", "Uzbekistan").replace(
                "e-Education in Estonia", "Education in e-Estonia"
            ),
        )
        for e in page.entries
    ]
    resolution = resolve_sources(manifest, replace(page, entries=tuple(retitled)))
    assert (
        resolution.url("uzbekistan-response.ru") == BASE + default_paths()["uzbekistan-response.ru"]
    )
    assert resolution.url("e-estonia.en") == BASE + default_paths()["e-estonia.en"]
    gone = [
        replace(e, title="Something else entirely") if e.title == "Kyrgyz Republic" else e
        for e in page.entries
    ]
    missed = resolve_sources(manifest, replace(page, entries=tuple(gone)))
    assert dict(missed.misses)["kyrgyzstan-response.en"].startswith("no entry on the page")
    assert [link.text for _, link in missed.unclaimed] == ["Eng", "Rus"]


@pytest.mark.parametrize(
    ("label", "lang"),
    [
        ("Eng", "en"),
        ("(Eng)", "en"),
        ("English", "en"),
        ("Rus", "ru"),
        ("Русский", "ru"),
        ("рус.", "ru"),
        ("Concept Note and Programme (English)", "en"),
        ("Concept Note and Programme (Russian)", "ru"),
        ("Français", "fr"),
        ("Kaz", "kk"),
        ("Republic of Kazakhstan", None),
        ("Download", None),
        ("Rus", "ru"),
    ],
)
def test_label_language(label: str, lang: str | None) -> None:
    assert label_language(label) == lang


@pytest.mark.parametrize(
    ("html", "title", "speakers"),
    [
        (
            "<p>2. Talk title (Mr A B, Officer, KERIS) (<a href='/a.pdf'>Eng</a>)</p>",
            "Talk title",
            [DraftSpeaker("Mr A B", "Officer", "KERIS")],
        ),
        (
            "<p>4.e-Education in Estonia (Ms C, Org) (<a href='/a.pdf'>Eng</a>)</p>",
            "e-Education in Estonia",
            [DraftSpeaker("Ms C", None, "Org")],
        ),
        (
            "<p>Open (OER) Ecosystem (Ms. X, R1, K and Mr. Y, R2, K) (<a href='/a.pdf'>Eng</a>)</p>",  # noqa: E501
            "Open (OER) Ecosystem",
            [DraftSpeaker("Ms. X", "R1", "K"), DraftSpeaker("Mr. Y", "R2", "K")],
        ),
        (
            "<p>Rural Education (Dr. T, Centre for Research and Training (CRT), China) "
            "(<a href='/a.pdf'>Eng</a>)</p>",
            "Rural Education",
            [DraftSpeaker("Dr. T", None, "Centre for Research and Training (CRT), China")],
        ),
        (
            "<p>Webinar 2 Recordings: (<a href='/a.mp4'>Eng</a>), (<a href='/b.mp4'>Rus</a></p>",
            "Webinar 2 Recordings",
            [],
        ),
        (
            "<p><a href='/c.pdf'>Concept Note and Programme (English)</a></p>",
            "Concept Note and Programme",
            [],
        ),
        ("<p>Results (Geneva) <a href='/c.pdf'>Eng</a></p>", "Results (Geneva)", []),
    ],
)
def test_entry_title_and_speakers(html: str, title: str, speakers: list[DraftSpeaker]) -> None:
    entry = read_event_page(parse_page(html, BASE)).entries[0]
    assert (entry.title, entry.speakers) == (title, tuple(speakers))


def test_parser_skips_furniture_scripts_and_resolves_relative_links() -> None:
    page = parse_page(
        "<html><head><base href='/docs/'></head><body><nav><a href='x.pdf'>Eng</a></nav>"
        "<script>document.write('<a href=y.pdf>Rus</a>')</script>"
        "<p>Line one <a href='a.pdf#p2'>Eng</a><br>Line two <a href='mailto:x@y'>mail</a></p>"
        "</body></html>",
        BASE + "/event/",
    )
    assert [b.text for b in page.blocks] == ["Line one Eng", "Line two mail"]
    assert page.blocks[0].links == (PageLink(BASE + "/docs/a.pdf", "Eng"),)
    assert page.blocks[1].links == ()


def test_similarity_is_symmetric_and_bounded() -> None:
    assert similarity("Kyrgyz Republic", "kyrgyz  republic.") == 1.0
    assert similarity("Webinar 1 Recordings", "Webinar 2 Recordings") < 1.0
    assert similarity("", "x") == 0.0


def test_discover_of_a_missing_page_fails_with_a_download_error(fault_server: FaultServer) -> None:
    result = CliRunner().invoke(main, ["discover", fault_server.url("/nope"), "--retries", "0"])
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED
    assert "cannot read the event page: HTTP 404" in result.stderr


def test_discover_help() -> None:
    result = CliRunner().invoke(main, ["discover", "--help"])
    assert result.exit_code == 0 and "URL" in result.output
