"""Hostile or careless input ends in one clear line and a documented exit code, never a
traceback, and nothing invisible reaches the package: impossible dates, deep nesting,
hand-edited locks, Windows device names, bad URLs, floods of errors, control characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.lock import lock_path
from oerpack.manifest import load_manifest
from oerpack.media.derive import MediaOptions
from oerpack.settings import Settings
from tests.support.fetching import write_manifest
from tests.support.media import make_pdf

HEAD = """\
oerpack: 1
event:
  id: ev
  title: {en: Event}
  languages: [en]
  publisher: UNESCO
  license: not-stated
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result: Result, code: ExitCode, message: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors and message in errors[0], result.stderr
    assert "Traceback" not in result.output


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("day", ["2020-09-31", "2020-02-30", "2021-13-01"])
def test_an_impossible_unquoted_date(tmp_path: Path, day: str) -> None:
    text = HEAD + f"sections:\n  - id: s1\n    title: S\n    date: {day}\n"
    result = run("validate", str(write(tmp_path, text)))
    assert_clean_failure(
        result, ExitCode.BAD_MANIFEST, f"m.yaml:11: section s1.date: '{day}' is not a date"
    )


def test_an_impossible_date_written_as_a_title_is_kept_as_text(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, HEAD.replace("{en: Event}", "2020-09-31")))
    assert manifest.event.title.get("en") == "2020-09-31"


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 500 + "]" * 500,
        "{a: " * 500 + "1" + "}" * 500,
        "".join(f"\n{'  ' * (n + 2)}- " for n in range(500)) + "x",
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_a_manifest_nested_500_levels_deep(tmp_path: Path, nested: str) -> None:
    text = HEAD + f"  description: {nested}\n"
    result = run("validate", str(write(tmp_path, text)))
    # PyYAML's own parser stops at MAX_DEPTH; libyaml composes 500 levels and the field is
    # then not text: either way one located line, exit 3
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, f"{tmp_path / 'm.yaml'}:")
    assert "event.description" in result.stderr or "nested more than" in result.stderr


def one_source(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "m.yaml", [{"id": "a", "url": "http://127.0.0.1:9/a.pdf"}])


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"sha256": 123}, "sha256", "123 is not text"),
        ({"sha256": "abc"}, "sha256", "is not 64 lowercase hex digits"),
        ({"size": "x"}, "size", "'x' is not a size in bytes"),
        ({"size": -1}, "size", "-1 is not a size in bytes"),
        ({"url": ["http://a/"]}, "url", "is not text"),
        ({"url": "file:///etc/passwd"}, "url", "only http and https URLs are allowed"),
        ({"final_url": "file:///etc/passwd"}, "final_url", "only http and https"),
    ],
)
@pytest.mark.parametrize("command", ["fetch", "build", "refresh"])
def test_a_hand_edited_lock_with_wrong_types(
    tmp_path: Path, command: str, entry: dict[str, object], field: str, message: str
) -> None:
    manifest = one_source(tmp_path)
    lock = {"format": 1, "sources": {"a.en": entry}}
    lock_path(manifest).write_text(json.dumps(lock), encoding="utf-8")
    result = run(command, str(manifest), "--cache-dir", str(tmp_path / "c"), "--retries", "0")
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, f"m.yaml.lock.json: sources.a.en.{field}: ")
    assert message in result.stderr


def test_a_lock_nested_too_deeply(tmp_path: Path) -> None:
    manifest = one_source(tmp_path)
    deep = '{"format": 1, "sources": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lock_path(manifest).write_text(deep, encoding="utf-8")
    result = run("fetch", str(manifest), "--cache-dir", str(tmp_path / "c"))
    assert_clean_failure(result, ExitCode.BAD_MANIFEST, "nested too deeply")


@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "lpt9"])
def test_windows_device_names_are_refused_as_ids(tmp_path: Path, name: str) -> None:
    event = write(tmp_path, HEAD.replace("id: ev", f"id: {name}"))
    assert_clean_failure(run("validate", str(event)), ExitCode.BAD_MANIFEST, "Windows reserves it")
    item = write_manifest(tmp_path / "i.yaml", [{"id": name, "url": "https://e.org/a.pdf"}])
    assert_clean_failure(run("validate", str(item)), ExitCode.BAD_MANIFEST, "Windows reserves it")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.org/a b.pdf", "contains a space"),
        ("http://example.org/a\tb.pdf", "contains a space"),
        ("http://example.org:99999/a.pdf", "invalid port"),
        ("http://example.org:0/a.pdf", "invalid port"),
        ("http://example.org:http/a.pdf", "invalid port"),
        ("http://:80/a.pdf", "has no host"),
    ],
)
def test_urls_that_cannot_be_fetched_fail_validate(tmp_path: Path, url: str, message: str) -> None:
    manifest = write_manifest(tmp_path / "m.yaml", [{"id": "a", "url": url}])
    assert_clean_failure(run("validate", str(manifest)), ExitCode.BAD_MANIFEST, message)


def test_a_flood_of_errors_is_capped(tmp_path: Path) -> None:
    item = "  - {{id: I{}, title: t, kind: document, sources: []}}\n"
    items = "".join(item.format(n) for n in range(300))  # two errors each
    path = write(tmp_path, HEAD + "items:\n" + items)
    result = run("validate", str(path))
    assert result.exit_code == ExitCode.BAD_MANIFEST
    lines = result.stderr.splitlines()
    assert len(lines) <= 52, len(lines)
    assert lines[50].startswith("Error: … and ") and "more (-v shows all)" in lines[50]
    verbose = run("-v", "validate", str(path))
    assert len(verbose.stderr.splitlines()) == 600  # all of them, no summary


def test_control_characters_never_reach_the_package(tmp_path: Path) -> None:
    text = HEAD.replace("{en: Event}", '"Ev\\0ent\\a \\x7f\\x9b\\x85ok\\tand\\ttabs"')
    manifest = load_manifest(write(tmp_path, text))
    assert manifest.event.title.get("en") == "Event ok\tand\ttabs"


def test_control_characters_never_reach_the_built_html(tmp_path: Path) -> None:
    make_pdf(tmp_path / "doc.pdf", ["Page one"])
    hostile = '"Bell\\a and\\0 nul\\x7f \\x9bhere"'
    manifest = write_manifest(tmp_path / "m.yaml", [{"id": "doc", "path": "doc.pdf"}])
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace("{en: Network test, ru: Сетевой тест}", hostile).replace(
            "title: {en: doc}", f"title: {hostile}"
        ),
        encoding="utf-8",
    )
    outcome = build_package(
        manifest,
        tmp_path / "out",
        Settings(cache_dir=tmp_path / "c"),
        make_zip=False,
        media=MediaOptions(page_images=False, thumbnails=False),
    )
    texts = [
        p
        for p in outcome.package.folder.rglob("*")
        if p.suffix in (".html", ".js", ".json", ".txt", ".css") or p.name == "SHA256SUMS"
    ]
    assert any(p.name == "index.html" for p in texts)
    shown = b"".join(p.read_bytes() for p in texts)
    assert b"Bell and nul here" in shown
    for control in (b"\x00", b"\x07", b"\x7f", "\x9b".encode()):
        assert control not in shown
