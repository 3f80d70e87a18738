"""The manifest loader: the real manifests load; every kind of bad input gets a clear,
located error."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from oerpack.errors import ManifestError, ManifestErrors
from oerpack.manifest import load_manifest
from tests.conftest import REPO

SEED = REPO.parent / "shared" / "seeds" / "000_59f1174c3af49f28.txt"

MINIMAL = """\
oerpack: 1
event:
  id: ev
  title: {en: Event, ru: Событие}
  languages: [en, ru]
  publisher: UNESCO
  license: not-stated
sections:
  - id: s1
    title: Section
    date: 2020-09-25
    start: "11:00"
    items:
      - id: a
        title: A
        kind: presentation
        sources:
          - {lang: en, url: "https://example.org/a.pdf"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_manifest_loads_with_pinned_local_sources() -> None:
    manifest = load_manifest(REPO / "manifests" / "demo.yaml")
    sources = manifest.all_sources()
    assert manifest.event.id == "demo"
    assert sources and all(s.path is not None and s.path.is_file() for s in sources)
    assert all(s.sha256 and s.size for s in sources)
    assert {s.lang for s in sources} == {"en", "ru"}


def test_demo_manifest_is_what_its_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_demo", REPO / "manifests" / "demo" / "make_demo.py"
    )
    assert spec is not None and spec.loader is not None
    make_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_demo)
    text = (REPO / "manifests" / "demo.yaml").read_text(encoding="utf-8")
    assert make_demo.render_manifest() == text


def test_demo_descriptions_have_one_line_per_paragraph() -> None:
    # The viewer keeps a single newline as a line break; hard-wrapped text shows odd breaks.
    description = load_manifest(REPO / "manifests" / "demo.yaml").event.description
    assert description is not None
    for _, text in description.values:
        paragraphs = text.strip().split("\n\n")
        assert len(paragraphs) == 2
        assert all(p and "\n" not in p for p in paragraphs)


def test_vcasie_manifest_transcribes_the_event_page() -> None:
    manifest = load_manifest(REPO / "manifests" / "vcasie-2020.yaml")
    assert [s.date.isoformat() if s.date else None for s in manifest.sections] == [
        "2020-09-25",
        "2020-10-07",
        "2020-10-23",
    ]
    assert {s.timezone for s in manifest.sections} == {"Asia/Almaty"}
    assert [(s.start, s.end) for s in manifest.sections] == [
        ("11:00", "12:30"),
        ("15:00", "16:45"),
        ("11:00", "12:30"),
    ]
    sources = manifest.all_sources()
    assert len(sources) == 34
    assert sum(s.lang == "en" for s in sources) == 17
    assert sum(s.lang == "ru" for s in sources) == 17
    assert not any(s.resolved for s in sources), "the seed has no link addresses to record"
    for item in manifest.all_items():
        assert sorted(s.lang for s in item.sources) == ["en", "ru"], item.id
    recordings = [i for s in manifest.sections for i in s.items if i.kind == "recording"]
    assert len(recordings) == 3
    assert manifest.items[0].kind == "document"
    assert "Concept Note" in manifest.items[0].title.get("en")


@pytest.mark.skipif(not SEED.exists(), reason="shared/ seed text not beside the checkout")
def test_vcasie_manifest_names_every_speaker_on_the_seed_page() -> None:
    seed = SEED.read_text(encoding="utf-8").replace("\u00a0", " ")
    names = re.findall(
        r"(?:Ms Dr\.|Mr\.?|Ms\.?|Dr\.?) ((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?: [A-Z][a-z]+)+)", seed
    )
    assert len(names) >= 10
    manifest = load_manifest(REPO / "manifests" / "vcasie-2020.yaml")
    speakers = [sp.name.get("en") for item in manifest.all_items() for sp in item.speakers]
    for name in names:
        assert any(name in speaker for speaker in speakers), name
    organisers = {s.organiser.get("en") for s in manifest.sections if s.organiser}
    assert organisers == {
        "UNESCO Bangkok",
        "UNESCO Institute for Lifelong Learning",
        "UNESCO Almaty",
    }


def test_minimal_manifest_and_multilingual_text() -> None:
    manifest = load_manifest(REPO / "manifests" / "demo.yaml")
    assert manifest.event.title.get("ru") != manifest.event.title.get("en")
    assert manifest.event.title.get("kk", ("ru",)) == manifest.event.title.get("ru")


BAD = [
    ("invalid YAML", "oerpack: 1\nevent: [unclosed\n", 3, "invalid YAML"),
    (
        "missing field",
        MINIMAL.replace("  publisher: UNESCO\n", ""),
        3,
        "missing required key 'publisher'",
    ),
    (
        "unknown key",
        MINIMAL.replace(
            "    kind: presentation\n", "    kind: presentation\n        colour: red\n"
        ),
        17,
        "unknown key 'colour'",
    ),
    ("duplicate id", MINIMAL.replace("  - id: s1", "  - id: a"), 14, "id 'a' is used twice"),
    (
        "dotdot path",
        MINIMAL.replace('url: "https://example.org/a.pdf"', "path: ../x.pdf"),
        18,
        "must not contain '..'",
    ),
    (
        "absolute path",
        MINIMAL.replace('url: "https://example.org/a.pdf"', "path: /etc/passwd"),
        18,
        "absolute path",
    ),
    (
        "ftp url",
        MINIMAL.replace("https://example.org/a.pdf", "ftp://example.org/a.pdf"),
        18,
        "only http and https",
    ),
    (
        "javascript url",
        MINIMAL.replace("https://example.org/a.pdf", "javascript:alert(1)"),
        18,
        "only http and https",
    ),
    ("bad id", MINIMAL.replace("id: a\n", "id: A b\n"), 14, "not a valid id"),
    (
        "unknown language",
        MINIMAL.replace("{lang: en,", "{lang: de,"),
        18,
        "not one of event.languages",
    ),
    ("bad kind", MINIMAL.replace("kind: presentation", "kind: movie"), 16, "not one of"),
    (
        "unquoted time",
        MINIMAL.replace('start: "11:00"', "start: 11:00"),
        12,
        "write the time in quotes",
    ),
    ("bad date", MINIMAL.replace("date: 2020-09-25", "date: 25.09.2020"), 11, "not a date"),
    (
        "bad sha256",
        MINIMAL.replace(
            'url: "https://example.org/a.pdf"', 'url: "https://example.org/a.pdf", sha256: abc'
        ),
        18,
        "64 lowercase hex",
    ),
    (
        "negative size",
        MINIMAL.replace(
            'url: "https://example.org/a.pdf"', 'url: "https://example.org/a.pdf", size: -1'
        ),
        18,
        "not a size",
    ),
    (
        "no sources",
        MINIMAL.replace(
            '        sources:\n          - {lang: en, url: "https://example.org/a.pdf"}\n',
            "        sources: []\n",
        ),
        17,
        "at least one source",
    ),
    (
        "wrong version",
        MINIMAL.replace("oerpack: 1", "oerpack: 2"),
        1,
        "unsupported manifest format",
    ),
    (
        "missing file",
        MINIMAL.replace('url: "https://example.org/a.pdf"', "path: gone.pdf"),
        18,
        "file not found",
    ),
    (
        "duplicate key",
        MINIMAL.replace("  id: ev\n", "  id: ev\n  id: ev2\n"),
        4,
        "duplicate key 'id'",
    ),
    (
        "url and path",
        MINIMAL.replace(
            'url: "https://example.org/a.pdf"', 'url: "https://e.org/a.pdf", path: a.pdf'
        ),
        18,
        "either 'url' or 'path'",
    ),
]


@pytest.mark.parametrize(("text", "line", "needle"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_manifest_is_reported_with_file_and_line(
    tmp_path: Path, text: str, line: int, needle: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    errors = caught.value.errors if isinstance(caught.value, ManifestErrors) else [caught.value]
    matching = [e for e in errors if needle in e.message]
    assert matching, [e.message for e in errors]
    assert matching[0].file == str(path)
    assert matching[0].line == line, matching[0].message
    assert matching[0].message.startswith(f"{path}:{line}: ")
    assert "\n" not in matching[0].message


def test_item_errors_name_the_item_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("https://example.org/a.pdf", "ftp://x/a.pdf"))
    with pytest.raises(ManifestErrors) as caught:
        load_manifest(path)
    assert "item a.sources[0].url" in caught.value.errors[0].message


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = MINIMAL.replace("kind: presentation", "kind: movie").replace("lang: en", "lang: de")
    with pytest.raises(ManifestErrors) as caught:
        load_manifest(write(tmp_path, text))
    assert len(caught.value.errors) == 2


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(tmp_path / "nope.yaml")
    with pytest.raises(ManifestError, match="empty"):
        load_manifest(write(tmp_path, "# nothing\n"))


def test_source_keys_are_item_and_source_id(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        '          - {lang: en, url: "https://example.org/a.pdf"}\n',
        '          - {lang: en, url: "https://example.org/a.pdf"}\n'
        '          - {lang: en, id: en-slides, url: "https://example.org/b.pdf"}\n',
    )
    manifest = load_manifest(write(tmp_path, text))
    assert [s.key for s in manifest.all_sources()] == ["a.en", "a.en-slides"]
