"""``oerpack refresh`` against a real event page and real files on 127.0.0.1: resolve, absorb
changes, moves (301), vanished files (404) and new links, without re-downloading the rest."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.fetch import get_page, probe
from oerpack.lock import lock_path, read_lock
from oerpack.refresh import refresh_manifest, report_lines, report_problem
from oerpack.settings import Settings
from tests.conftest import REPO
from tests.support.eventpage import SOURCE_KEYS, default_paths, vcasie_page, vcasie_text
from tests.support.fetching import write_manifest
from tests.support.media import make_bytes, make_pdf
from tests.support.server import MP4_HEAD, PDF_HEAD, FaultServer

VCASIE = REPO / "manifests" / "vcasie-2020.yaml"
PAGE = "/vcasie-2020.html"


def _body(key: str, tmp: Path, version: int = 1) -> bytes:
    if key.split(".")[0].endswith("recordings"):
        return make_bytes(3000 + version, seed=SOURCE_KEYS.index(key), head=MP4_HEAD)
    return make_pdf(tmp / f"{key}-{version}.pdf", [f"{key} version {version}"]).read_bytes()


def _serve_page(srv: FaultServer, html: str) -> None:
    data = html.encode("utf-8")
    if _served(srv, PAGE):
        srv.replace(PAGE, data, content_type="text/html; charset=utf-8")
    else:
        srv.add(PAGE, data, content_type="text/html; charset=utf-8")


def _served(srv: FaultServer, path: str) -> bool:
    try:
        srv.route(path)
    except KeyError:
        return False
    return True


def _manifest_with_pages(tmp: Path, pages: list[str]) -> Path:
    path = tmp / "vcasie-2020.yaml"
    path.write_text(vcasie_text(pages), encoding="utf-8")
    return path


@pytest.fixture
def site(fault_server: FaultServer, tmp_path: Path) -> FaultServer:
    bodies = tmp_path / "bodies"
    bodies.mkdir()
    for key, path in default_paths().items():
        fault_server.add(path, _body(key, bodies))
    _serve_page(fault_server, vcasie_page(fault_server.base_url))
    return fault_server


def _settings(tmp: Path) -> Settings:
    return Settings(cache_dir=tmp / "cache", retries=1, backoff=0.0)


def _gets(srv: FaultServer, paths: list[str]) -> list[str]:
    return [p for p in paths if any(r.method == "GET" for r in srv.stats(p).requests)]


@pytest.mark.slow
def test_first_refresh_resolves_every_source_from_the_page(
    site: FaultServer, tmp_path: Path
) -> None:
    # The original page is gone; its web-archive copy (listed second) answers.
    site.fault("/gone.html", fail_status=404)
    manifest = _manifest_with_pages(tmp_path, [site.url("/gone.html"), site.url(PAGE)])
    report = refresh_manifest(manifest, _settings(tmp_path))
    assert report.page == site.url(PAGE)
    assert [c.status for c in report.checks] == ["changed"] * 34
    assert report.new_links == ()  # the nav and footer links are page furniture
    lock = read_lock(lock_path(manifest))
    urls = {key: entry.url for key, entry in lock.sources}
    assert urls == {key: site.url(path) for key, path in default_paths().items()}
    assert all(entry.sha256 and entry.md5 and entry.size for _, entry in lock.sources)
    assert lock.channel_version == 0  # a build gives the channel version, not refresh
    assert report_problem(report, manifest) is None
    assert "Warning:" in "\n".join(report_lines(report))  # the page that failed is named


@pytest.mark.slow
def test_changes_moves_404s_and_new_links_between_two_refreshes(
    site: FaultServer, tmp_path: Path
) -> None:
    manifest = _manifest_with_pages(tmp_path, [site.url(PAGE)])
    settings = _settings(tmp_path)
    refresh_manifest(manifest, settings)
    before = read_lock(lock_path(manifest))
    paths = default_paths()
    # Changed bytes, a 301 to a new home, a vanished file, a link the page now points
    # elsewhere, and a new talk on the page.
    site.replace(paths["webinar-1-recordings.en"], make_bytes(5000, seed=7, head=MP4_HEAD))
    moved_to = "/new-home/concept-note-en.pdf"
    site.add(moved_to, _body("concept-note.en", tmp_path))
    site.fault(paths["concept-note.en"], redirect_to=moved_to, redirect_status=301)
    site.fault(paths["kazakhstan-response.ru"], fail_status=404)
    new_paths = dict(paths, **{"digcomp.en": "/v2/digcomp-en.pdf"})
    site.add("/v2/digcomp-en.pdf", _body("digcomp.en", tmp_path, version=2))
    site.add("/files/new-talk-kaz.pdf", b"%PDF-1.4 new")
    _serve_page(
        site,
        vcasie_page(
            site.base_url,
            new_paths,
            extra=[
                ("Open textbooks in Kazakh (Ms Aigerim Example)", "Kaz", "/files/new-talk-kaz.pdf")
            ],
        ),
    )
    site.reset_stats()

    checked = refresh_manifest(manifest, settings, check=True)
    statuses = {c.key: c.status for c in checked.checks}
    assert statuses["webinar-1-recordings.en"] == "changed"
    assert statuses["concept-note.en"] == "moved"
    assert statuses["digcomp.en"] == "moved"
    assert statuses["kazakhstan-response.ru"] == "broken"
    assert checked.count("unchanged") == 30
    assert [(n.label, n.url) for n in checked.new_links] == [
        ("Kaz", site.url("/files/new-talk-kaz.pdf"))
    ]
    assert read_lock(lock_path(manifest)) == before  # --check changes nothing
    problem = report_problem(checked, manifest)
    assert problem is not None and problem.exit_code == ExitCode.DOWNLOAD_FAILED
    assert _gets(site, [*paths.values(), moved_to]) == []  # conditional HEADs only
    assert {r.status for p in paths.values() for r in site.stats(p).requests} >= {304}

    site.reset_stats()
    result = CliRunner().invoke(
        main, ["refresh", str(manifest), "--cache-dir", str(settings.cache_dir), "--retries", "0"]
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED, result.output
    assert "broken      kazakhstan-response.ru" in result.stdout
    assert "'Kaz' under 'Open textbooks in Kazakh'" in result.stdout
    assert "Hint: fix their url" in result.stderr
    after = read_lock(lock_path(manifest))
    new_recording = after.get("webinar-1-recordings.en")
    assert new_recording is not None and new_recording.size == 5000
    concept = after.get("concept-note.en")
    assert concept is not None and concept.final_url == site.url(moved_to)
    kept = before.get("kazakhstan-response.ru")  # the last good copy, marked broken
    assert kept is not None
    assert after.get("kazakhstan-response.ru") == replace(kept, broken="HTTP 404 Not Found")
    digcomp = after.get("digcomp.en")
    assert digcomp is not None and digcomp.url == site.url("/v2/digcomp-en.pdf")
    assert after.channel_version == before.channel_version  # builds give versions
    # Only what changed was downloaded; the 301 target kept its bytes and was not.
    assert sorted(_gets(site, [*paths.values(), moved_to, "/v2/digcomp-en.pdf"])) == sorted(
        [paths["webinar-1-recordings.en"], "/v2/digcomp-en.pdf"]
    )

    site.clear_fault(paths["kazakhstan-response.ru"])
    again = CliRunner().invoke(
        main, ["refresh", str(manifest), "--check", "--cache-dir", str(settings.cache_dir)]
    )
    assert again.exit_code == 0, again.output
    assert "34 unchanged" in again.stdout


@pytest.mark.slow
def test_check_fails_on_a_changed_file(site: FaultServer, tmp_path: Path) -> None:
    manifest = _manifest_with_pages(tmp_path, [site.url(PAGE)])
    refresh_manifest(manifest, _settings(tmp_path))
    site.replace(default_paths()["e-estonia.ru"], b"%PDF-1.4 edited")
    result = CliRunner().invoke(
        main, ["refresh", str(manifest), "--check", "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == ExitCode.FAILURE
    assert "changed     e-estonia.ru" in result.stdout
    assert "Error: 1 source(s) changed or moved" in result.stderr


@pytest.mark.slow
def test_refresh_then_build_is_the_whole_workflow(site: FaultServer, tmp_path: Path) -> None:
    manifest = _manifest_with_pages(tmp_path, [site.url(PAGE)])
    settings = _settings(tmp_path)
    refresh_manifest(manifest, settings)
    site.reset_stats()
    outcome = build_package(manifest, tmp_path / "dist", settings)
    assert outcome.package.folder.joinpath("index.html").is_file()
    assert outcome.channel_version == 1
    assert _gets(site, list(default_paths().values())) == []  # all from the cache


def test_without_pages_refresh_says_how_to_add_them(tmp_path: Path) -> None:
    manifest = tmp_path / "vcasie-2020.yaml"
    manifest.write_text(vcasie_text(None), encoding="utf-8")
    result = CliRunner().invoke(main, ["refresh", str(manifest), "--check"])
    assert result.exit_code == ExitCode.BAD_MANIFEST
    assert result.stdout.count("unresolved") >= 34
    assert "names no event page" in result.stderr
    assert "add the event page under 'event:'" in result.stderr
    assert "pages: [" in result.stderr
    assert not lock_path(manifest).exists()


def test_refresh_refuses_offline(tmp_path: Path) -> None:
    manifest = tmp_path / "vcasie-2020.yaml"
    shutil.copy(VCASIE, manifest)
    result = CliRunner().invoke(main, ["refresh", str(manifest), "--offline"])
    assert result.exit_code == ExitCode.FAILURE
    assert "cannot run offline" in result.stderr


def test_unreachable_page_is_a_download_failure(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.fault("/event", fail_status=500)
    manifest = _manifest_with_pages(tmp_path, [fault_server.url("/event")])
    result = CliRunner().invoke(
        main, ["refresh", str(manifest), "--retries", "0", "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED
    assert "no event page answered" in result.stderr
    assert len(SOURCE_KEYS) == 34


def test_refresh_help() -> None:
    result = CliRunner().invoke(main, ["refresh", "--help"])
    assert result.exit_code == 0
    assert "--check" in result.output


@pytest.mark.parametrize("refused", [405, 403])
def test_server_refusing_head_gets_a_conditional_get_without_the_body(
    fault_server: FaultServer, tmp_path: Path, refused: int
) -> None:
    fault_server.add("/doc.pdf", make_bytes(200_000, seed=3, head=PDF_HEAD))
    fault_server.fault("/doc.pdf", refuse_head=refused)
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "doc", "url": fault_server.url("/doc.pdf")}]
    )
    settings = _settings(tmp_path)
    refresh_manifest(manifest, settings)
    entry = read_lock(lock_path(manifest)).get("doc.en")
    assert entry is not None and entry.etag == fault_server.route("/doc.pdf").etag
    fault_server.reset_stats()

    report = refresh_manifest(manifest, settings, check=True)
    assert [c.status for c in report.checks] == ["unchanged"]
    stats = fault_server.stats("/doc.pdf")
    assert [(r.method, r.status) for r in stats.requests] == [("HEAD", refused), ("GET", 304)]
    assert stats.requests[1].header("If-None-Match") == entry.etag
    assert stats.bytes_sent == 0

    fault_server.replace("/doc.pdf", make_bytes(150_000, seed=4, head=PDF_HEAD))
    fault_server.reset_stats()
    changed = refresh_manifest(manifest, settings, check=True)
    assert [c.status for c in changed.checks] == ["changed"]
    assert "200000 → 150000 bytes" in changed.checks[0].detail
    assert fault_server.stats("/doc.pdf").bytes_sent <= 1  # a one-byte range, not the file
    problem = report_problem(changed, manifest)
    assert problem is not None and problem.exit_code == ExitCode.FAILURE

    refresh_manifest(manifest, settings)
    updated = read_lock(lock_path(manifest)).get("doc.en")
    assert updated is not None and updated.size == 150_000
    assert updated.etag == fault_server.route("/doc.pdf").etag


def test_empty_file_behind_a_head_refusing_server_is_not_broken(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/empty.txt", b"")
    fault_server.fault("/empty.txt", refuse_head=501)
    result = probe(fault_server.url("/empty.txt"), _settings(tmp_path))
    assert (result.ok, result.status, result.size) == (True, 200, 0)
    assert fault_server.stats("/empty.txt").statuses == (501, 416, 200)


def test_a_pinned_source_that_changed_is_reported_not_taken(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    body = make_bytes(5000, seed=1, head=PDF_HEAD)
    fault_server.add("/doc.pdf", body)
    manifest = write_manifest(
        tmp_path / "m.yaml",
        [
            {
                "id": "doc",
                "url": fault_server.url("/doc.pdf"),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        ],
    )
    settings = _settings(tmp_path)
    assert report_problem(refresh_manifest(manifest, settings), manifest) is None
    before = read_lock(lock_path(manifest))
    fault_server.replace("/doc.pdf", make_bytes(5000, seed=2, head=PDF_HEAD))
    fault_server.reset_stats()

    result = CliRunner().invoke(
        main, ["refresh", str(manifest), "--cache-dir", str(settings.cache_dir)]
    )
    assert result.exit_code == ExitCode.CHECKSUM_MISMATCH, result.output
    assert "the manifest pins the old bytes" in result.stdout
    assert "pins their old sha256/size: doc.en" in result.stderr
    assert "Hint: remove (or update) their sha256/size" in result.stderr
    assert read_lock(lock_path(manifest)) == before
    assert fault_server.stats("/doc.pdf").bytes_sent == 0  # nothing downloaded


def test_a_first_refresh_checks_the_download_against_the_pin(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/doc.pdf", make_bytes(5000, seed=1, head=PDF_HEAD))
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "doc", "url": fault_server.url("/doc.pdf"), "size": 4999}]
    )
    report = refresh_manifest(manifest, _settings(tmp_path))
    assert [c.status for c in report.checks] == ["broken"]
    assert "4999" in report.checks[0].detail
    assert read_lock(lock_path(manifest)).get("doc.en") is None


def test_a_changed_local_file_with_a_pin_keeps_the_lock(tmp_path: Path) -> None:
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(b"%PDF-1.4 one")
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    manifest = write_manifest(
        tmp_path / "local.yaml", [{"id": "doc", "path": "doc.pdf", "sha256": digest}]
    )
    settings = _settings(tmp_path)
    assert [c.status for c in refresh_manifest(manifest, settings).checks] == ["changed"]
    before = read_lock(lock_path(manifest))
    doc.write_bytes(b"%PDF-1.4 two")
    report = refresh_manifest(manifest, settings)
    assert [(c.status, c.stale_pin) for c in report.checks] == [("changed", True)]
    assert read_lock(lock_path(manifest)) == before
    problem = report_problem(report, manifest)
    assert problem is not None and problem.exit_code == ExitCode.CHECKSUM_MISMATCH


@pytest.mark.parametrize("use_page", [False, True], ids=["probe", "event-page"])
def test_probes_and_page_reads_honour_retry_after(
    fault_server: FaultServer, tmp_path: Path, use_page: bool
) -> None:
    """A busy server's Retry-After is waited for by refresh's probes and page reads too,
    not only by downloads (the backoff itself is zero here)."""
    fault_server.add("/busy.html", b"<html><body>ok</body></html>")
    fault_server.fault("/busy.html", fail_status=503, fail_times=1, retry_after="1")
    started = time.monotonic()
    if use_page:
        page = get_page(fault_server.url("/busy.html"), _settings(tmp_path))
        assert page.content.startswith(b"<html>")
    else:
        assert probe(fault_server.url("/busy.html"), _settings(tmp_path)).status == 200
    assert time.monotonic() - started >= 0.9
    assert fault_server.stats("/busy.html").statuses[:2] == (503, 200)
