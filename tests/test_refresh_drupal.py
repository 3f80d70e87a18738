"""``refresh`` against the vCASIE page in the shape its real home has (a Drupal node on
bangkok.unesco.org: PDFs under /sites/default/files/…, links inside "(Eng), (Rus)",
recordings on a video platform), served on 127.0.0.1 with the platform mirrored there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.cli import main
from oerpack.errors import ExitCode
from oerpack.lock import lock_path, read_lock
from tests.support.eventpage import SOURCE_KEYS, drupal_paths, vcasie_drupal_page, vcasie_text
from tests.support.media import make_pdf, make_video
from tests.support.server import FaultServer

PAGE = "/content/virtual-central-asia-symposium-ict-education-vcasie-2020"
PLATFORM = "https://www.youtube.com"
WATCH = b"""<!DOCTYPE html><html><head><title>Recording</title></head>
<body><video controls src="/media/talk.mp4"></video></body></html>"""


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("drupal") / "talk.mp4"
    make_video(path, seconds=1.0, size="160x120")
    return path.read_bytes()


@pytest.fixture
def drupal(fault_server: FaultServer, tmp_path: Path, video: bytes) -> FaultServer:
    for key, path in drupal_paths().items():
        if path.startswith("/"):
            pdf = make_pdf(tmp_path / f"{key}.pdf", [f"{key} version 1"])
            fault_server.add(path, pdf.read_bytes(), content_type="application/pdf")
    fault_server.add("/yt/watch", WATCH, content_type="text/html; charset=utf-8")
    fault_server.add("/media/talk.mp4", video, content_type="video/mp4")
    fault_server.fault("/moved-away", fail_status=404)  # the original address, gone
    _serve(fault_server, vcasie_drupal_page(fault_server.base_url))
    return fault_server


def _serve(srv: FaultServer, html: str) -> None:
    data = html.encode("utf-8")
    try:
        srv.route(PAGE)
    except KeyError:
        srv.add(PAGE, data, content_type="text/html; charset=utf-8")
    else:
        srv.replace(PAGE, data, content_type="text/html; charset=utf-8")


def _manifest(srv: FaultServer, tmp: Path) -> Path:
    path = tmp / "vcasie-2020.yaml"
    pages = [srv.url("/moved-away"), srv.url(PAGE)]
    path.write_text(vcasie_text(pages), encoding="utf-8")
    return path


def _refresh(srv: FaultServer, manifest: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main,
        [
            "refresh",
            str(manifest),
            "--mirror",
            f"{PLATFORM}={srv.url('/yt')}",
            "--cache-dir",
            str(manifest.parent / "cache"),
            "--retries",
            "0",
            *extra,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_first_run_says_what_resolved_what_did_not_and_what_to_add(
    drupal: FaultServer, tmp_path: Path
) -> None:
    # On the real page one label may read otherwise than the seed text says.
    html = vcasie_drupal_page(drupal.base_url).replace(
        ">Concept Note and Programme (Russian)<", ">Концептуальная записка<"
    )
    _serve(drupal, html)
    code, out, err = _refresh(drupal, _manifest(drupal, tmp_path), "--check")
    assert code == ExitCode.BAD_MANIFEST, out + err
    assert f"Event page: {drupal.url(PAGE)}: 33 of 34 source(s) without a url found there" in out
    assert "Warning: " in out and "/moved-away" in out  # the first address failed
    assert re.search(r"Video platform: 6 recording\(s\) link to a platform's page", out)
    assert "Not resolved: 1 source(s):\n  concept-note.ru: no link labelled" in out
    assert "Add by hand in " in out and "'via: yt-dlp'" in out
    assert "'Концептуальная записка' under 'Концептуальная записка'" in out  # the 'new' row
    assert out.count("not in the lock yet") == 33
    assert "/sites/default/files/2020-10/concept-note_en.pdf" in out
    assert "Error: 1 source(s) were not found on the event page" in err
    assert not lock_path(tmp_path / "vcasie-2020.yaml").exists()  # --check writes nothing


@pytest.mark.slow
def test_check_on_the_drupal_page_after_a_move_a_loss_and_a_new_link(
    drupal: FaultServer, tmp_path: Path
) -> None:
    manifest = _manifest(drupal, tmp_path)
    code, out, err = _refresh(drupal, manifest)
    assert code == 0, out + err
    lock = read_lock(lock_path(manifest))
    assert len(lock.sources) == len(SOURCE_KEYS)
    recording = lock.get("webinar-1-recordings.en")
    assert recording is not None and recording.url == drupal_paths()["webinar-1-recordings.en"]
    assert recording.content_type == "video/mp4"  # yt-dlp fetched the video, not the page

    # The site reorganises: one PDF moves to a new folder (the page follows), one disappears
    # (the page still links it), one new document is linked.
    paths = drupal_paths()
    old, new = paths["digcomp.ru"], "/sites/default/files/2021-03/digcomp_ru.pdf"
    drupal.add(new, make_pdf(tmp_path / "moved.pdf", ["digcomp.ru version 1"]).read_bytes())
    drupal.fault(paths["e-estonia.en"], fail_status=404)
    drupal.add("/sites/default/files/2021-03/summary.pdf", b"%PDF-1.4 summary")
    html = vcasie_drupal_page(drupal.base_url, dict(paths, **{"digcomp.ru": new})).replace(
        "<p>Webinar 3 Recordings:",
        '<p>Summary report (<a href="/sites/default/files/2021-03/summary.pdf">Eng</a>)</p>'
        "<p>Webinar 3 Recordings:",
    )
    _serve(drupal, html)
    code, out, err = _refresh(drupal, manifest, "--check")
    assert code == ExitCode.DOWNLOAD_FAILED, out + err
    rows = {line.split()[1]: line.split()[0] for line in out.splitlines()[1:] if line[:1] != " "}
    assert rows["digcomp.ru"] == "moved" and f"was {drupal.url(old)}" in out
    assert rows["e-estonia.en"] == "broken" and "HTTP 404" in out
    assert rows["-"] == "new" and "'Eng' under 'Summary report'" in out
    assert sum(1 for status in rows.values() if status == "unchanged") == 32, out
    assert "New on the page: 1 link(s) no source claims" in out
    assert "Error: 1 source(s) are broken" in err

    drupal.clear_fault(paths["e-estonia.en"])
    code, out, err = _refresh(drupal, manifest, "--check")
    assert code == ExitCode.FAILURE, out + err
    assert "1 moved" in out and "Error: 1 source(s) changed or moved" in err
    assert read_lock(lock_path(manifest)) == lock  # --check changed nothing
