"""A real Kolibri imports from sticks written by ``oerpack write``: a stick updated in place
from version 1 to version 2, and one stick holding two packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.settings import Settings
from tests.e2e.test_kolibri_import import import_package, kolibri_available  # noqa: F401
from tests.support.corpus import TITLES, write_corpus
from tests.support.sticks import change_guide, fat_sticks, second_event

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def write(*args: str) -> None:
    result = CliRunner().invoke(main, ["write", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def channel_of(package: Path) -> str:
    return str(json.loads((package / "oerpack.json").read_text())["channel"]["id"])


def test_kolibri_imports_version_2_from_a_stick_updated_in_place(
    tmp_path: Path,
    kolibri_available: None,  # noqa: F811
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    manifest = write_corpus(tmp_path / "src")
    v1 = build_package(manifest, tmp_path / "v1", settings, make_zip=False).package.folder
    change_guide(manifest)
    v2 = build_package(manifest, tmp_path / "v2", settings, make_zip=False).package.folder
    channel = channel_of(v1)
    home = tmp_path / "kolibri-home"
    with fat_sticks(tmp_path, 1) as (stick,):
        write(str(v1), str(stick))
        first = import_package(home, stick, channel)
        write(str(v2), str(stick), "--report", str(tmp_path / "update.json"))
        update = json.loads((tmp_path / "update.json").read_text())[0]
        second = import_package(home, stick, channel)
    assert (first["version"], second["version"]) == (1, 2)
    assert update["bytes_written"] < update["full_bytes"]
    assert [n["id"] for n in second["nodes"]] == [n["id"] for n in first["nodes"]]
    assert all(n["available"] for n in second["nodes"])
    guide = {n["title"]: n for n in second["nodes"]}[TITLES["guide"]["ru"]]
    old_guide = {n["title"]: n for n in first["nodes"]}[TITLES["guide"]["ru"]]
    assert guide["files"][0][0] != old_guide["files"][0][0] and guide["files"][0][1] is True


def test_kolibri_imports_two_packages_from_one_stick(
    tmp_path: Path,
    kolibri_available: None,  # noqa: F811
) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", backoff=0)
    dist = tmp_path / "dist"
    one = build_package(write_corpus(tmp_path / "a"), dist, settings, make_zip=False)
    two = build_package(second_event(tmp_path / "b"), dist, settings, make_zip=False)
    home = tmp_path / "kolibri-home"
    with fat_sticks(tmp_path, 1) as (stick,):
        write(str(dist), str(stick))
        imported = [import_package(home, stick, channel_of(p.package.folder)) for p in (one, two)]
    for channel in imported:
        assert channel["version"] == 1
        assert all(n["available"] for n in channel["nodes"]), channel["nodes"]
        assert sum(1 for n in channel["nodes"] if n["kind"] != "topic") == 4
    assert imported[0]["nodes"][0]["title"] != imported[1]["nodes"][0]["title"]
