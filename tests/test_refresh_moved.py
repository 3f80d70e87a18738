"""A renamed file of a ``url:`` source (what discover writes) is reported ``moved`` with the
page's new address, and a build that uses its last good copy says so (issue 16, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.eventpage.discover import discover
from oerpack.lock import lock_path, read_lock
from oerpack.refresh import refresh_manifest, report_problem
from tests.support.eventpage import default_paths, vcasie_page
from tests.support.server import FaultServer
from tests.test_refresh import PAGE, _body, _serve_page, _settings, site  # noqa: F401


@pytest.mark.slow
def test_a_renamed_url_source_is_moved_not_broken_and_new(
    site: FaultServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    manifest = tmp_path / "drafted.yaml"
    manifest.write_text(discover(site.url(PAGE), settings), encoding="utf-8")
    first = refresh_manifest(manifest, settings)
    assert report_problem(first, manifest) is None, [c for c in first.checks]
    # The publisher renames one file: the old address answers 404, the page links the new one.
    paths = default_paths()
    old, new = paths["digcomp.en"], "/v2/digcomp-en-final.pdf"
    site.fault(old, fail_status=404)
    site.add(new, _body("digcomp.en", tmp_path, version=2))
    _serve_page(site, vcasie_page(site.base_url, dict(paths, **{"digcomp.en": new})))

    result = CliRunner().invoke(
        main, ["refresh", str(manifest), "--cache-dir", str(settings.cache_dir), "--retries", "0"]
    )
    key = next(k for k, e in read_lock(lock_path(manifest)).sources if e.url == site.url(old))
    assert result.exit_code == ExitCode.FAILURE, result.output
    row = next(line for line in result.stdout.splitlines() if f" {key} " in line)
    assert row.startswith("moved ") and site.url(new) in row and "404" in row, row
    assert not any(line.startswith("new ") for line in result.stdout.splitlines())
    assert f"{key} is now {site.url(new)}" in result.stderr
    assert "Hint: follow them: put the new address under url:" in result.stderr
    entry = read_lock(lock_path(manifest)).get(key)
    assert entry is not None and entry.broken and "404" in entry.broken

    # A draft still names no publisher ("TODO: …"): allowed here, this is about moved files.
    outcome = build_package(manifest, tmp_path / "out", settings, make_zip=False, allow_draft=True)
    assert any(
        n.startswith(f"{key}: packaged from the last good copy") and "404" in n
        for n in outcome.notes
    ), outcome.notes

    # Following it: the manifest takes the new address; the next refresh clears the mark.
    manifest.write_text(
        manifest.read_text("utf-8").replace(site.url(old), site.url(new)), encoding="utf-8"
    )
    again = refresh_manifest(manifest, settings)
    assert report_problem(again, manifest) is None
    entry = read_lock(lock_path(manifest)).get(key)
    assert entry is not None and entry.broken is None and entry.url == site.url(new)
    assert not any("last good copy" in n for n in build_package(
        manifest, tmp_path / "out", settings, make_zip=False, allow_draft=True).notes)  # fmt: skip
