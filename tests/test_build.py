"""End to end through the CLI: manifest → fetch (real HTTP on 127.0.0.1) → package → zip."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oerpack.cli import main
from oerpack.errors import ExitCode
from tests.conftest import REPO
from tests.support.eventpage import vcasie_text
from tests.support.media import make_pdf, make_video

ORIGIN = "https://media.example.org/vcasie/"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_demo_build_gives_folder_zip_and_valid_sha256sums(
    demo_copy: Path, tmp_path: Path, cache_dir: Path
) -> None:
    out = tmp_path / "dist"
    result = run("build", str(demo_copy), "--out", str(out), "--cache-dir", str(cache_dir))
    assert result.exit_code == 0, result.output
    folder = out / "demo"
    assert (folder / "index.html").is_file()
    assert f"{(folder / 'index.html').resolve().as_uri()}" in result.stdout
    check = subprocess.run(
        ["sha256sum", "--strict", "-c", "SHA256SUMS"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert listed == on_disk - {"SHA256SUMS"}
    with zipfile.ZipFile(out / "demo.zip") as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
        assert names == {f"demo/{name}" for name in on_disk}
        for name in on_disk:
            assert archive.read(f"demo/{name}") == (folder / name).read_bytes(), name
    # Media sit once, in Kolibri's storage layout, named by their md5.
    lock = json.loads(demo_copy.with_name("demo.yaml.lock.json").read_text())
    for entry in lock["sources"].values():
        md5 = entry["md5"]
        stored = list((folder / "KOLIBRI_DATA/content/storage" / md5[0] / md5[1]).glob(f"{md5}.*"))
        assert len(stored) == 1


@pytest.fixture
def served(tmp_path: Path, fault_server: Any) -> dict[str, Any]:
    """A manifest whose url sources live on a real local HTTP server, reached via --mirror."""
    files = {
        "concept-en.pdf": make_pdf(tmp_path / "src" / "c-en.pdf", ["Concept note"]),
        "concept-ru.pdf": make_pdf(tmp_path / "src" / "c-ru.pdf", ["Концептуальная записка"]),
        "rec-en.mp4": make_video(tmp_path / "src" / "r-en.mp4", seconds=1.0),
    }
    for name, path in files.items():
        fault_server.add(f"/files/{name}", path.read_bytes())
    manifest = tmp_path / "m" / "event.yaml"
    manifest.parent.mkdir()
    manifest.write_text(
        f"""\
oerpack: 1
event:
  id: served-event
  title: {{en: Served event, ru: Событие}}
  languages: [en, ru]
  publisher: UNESCO
  license: not-stated
items:
  - id: concept-note
    title: Concept note
    kind: document
    sources:
      - {{lang: en, url: "{ORIGIN}concept-en.pdf"}}
      - {{lang: ru, url: "{ORIGIN}concept-ru.pdf"}}
sections:
  - id: webinar-1
    title: Webinar 1
    items:
      - id: webinar-1-recording
        title: Recording
        kind: recording
        sources:
          - {{lang: en, url: "{ORIGIN}rec-en.mp4"}}
""",
        encoding="utf-8",
    )
    return {
        "manifest": manifest,
        "files": files,
        "server": fault_server,
        "mirror": f"{ORIGIN}={fault_server.url('/files/')}",
    }


@pytest.mark.slow
def test_build_through_mirror_packages_exactly_the_served_bytes(
    served: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    out = tmp_path / "dist"
    result = run(
        "build",
        str(served["manifest"]),
        "--out",
        str(out),
        "--cache-dir",
        str(cache_dir),
        "--mirror",
        served["mirror"],
    )
    assert result.exit_code == 0, result.output
    lock = json.loads(served["manifest"].with_name("event.yaml.lock.json").read_text())
    folder = out / "served-event"
    for key, name in [
        ("concept-note.en", "concept-en.pdf"),
        ("concept-note.ru", "concept-ru.pdf"),
        ("webinar-1-recording.en", "rec-en.mp4"),
    ]:
        entry = lock["sources"][key]
        assert entry["url"] == ORIGIN + name  # the lock records the manifest's URL
        assert entry["final_url"] == served["server"].url(f"/files/{name}")
        assert entry["etag"]
        ext = name.rsplit(".", 1)[1]
        packaged = (
            folder
            / "KOLIBRI_DATA/content/storage"
            / entry["md5"][0]
            / entry["md5"][1]
            / (f"{entry['md5']}.{ext}")
        )
        assert packaged.read_bytes() == served["files"][name].read_bytes()
        assert entry["size"] == packaged.stat().st_size


@pytest.mark.slow
def test_second_build_uses_the_cache_without_network(
    served: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    args = [
        "build",
        str(served["manifest"]),
        "--out",
        str(tmp_path / "dist"),
        "--cache-dir",
        str(cache_dir),
        "--mirror",
        served["mirror"],
    ]
    assert run(*args).exit_code == 0
    server = served["server"]
    server.reset_stats()
    again = run(*args, "--offline")
    assert again.exit_code == 0, again.output
    assert all(server.stats(f"/files/{n}").count == 0 for n in served["files"])


def test_pinned_lock_refuses_different_bytes(
    served: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    args = [
        "build",
        str(served["manifest"]),
        "--out",
        str(tmp_path / "dist"),
        "--mirror",
        served["mirror"],
        "--retries",
        "0",
    ]
    assert run(*args, "--cache-dir", str(cache_dir)).exit_code == 0
    original = served["files"]["concept-en.pdf"].read_bytes()
    served["server"].replace("/files/concept-en.pdf", original[:-8] + b"%%CHANGE")
    result = run(*args, "--cache-dir", str(tmp_path / "fresh-cache"))
    assert result.exit_code == ExitCode.CHECKSUM_MISMATCH, result.output
    assert "concept-note.en" in result.stderr and "sha256 mismatch" in result.stderr
    assert "oerpack refresh" in result.stderr
    assert "Traceback" not in result.output


def test_offline_without_cache_names_missing_sources(
    served: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    result = run(
        "build",
        str(served["manifest"]),
        "--out",
        str(tmp_path / "dist"),
        "--cache-dir",
        str(cache_dir),
        "--offline",
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED
    assert "not in the cache" in result.stderr and "concept-note.en" in result.stderr
    assert all(served["server"].stats(f"/files/{n}").count == 0 for n in served["files"])


def test_unresolved_sources_stop_before_any_download(tmp_path: Path, cache_dir: Path) -> None:
    manifest = tmp_path / "vcasie-2020.yaml"
    shutil.copy(REPO / "manifests" / "vcasie-2020.yaml", manifest)
    result = run(
        "build", str(manifest), "--out", str(tmp_path / "dist"), "--cache-dir", str(cache_dir)
    )
    assert result.exit_code == ExitCode.BAD_MANIFEST
    assert "34 source(s) have no url or path yet" in result.stderr
    assert "concept-note" in result.stderr
    # The manifest names its event page: the hint is to refresh from it.
    assert f"Hint: run 'oerpack refresh {manifest}' with internet access" in result.stderr
    assert not (tmp_path / "dist").exists()
    assert not cache_dir.exists()
    manifest.write_text(vcasie_text(None), encoding="utf-8")
    without_pages = run(
        "build", str(manifest), "--out", str(tmp_path / "dist"), "--cache-dir", str(cache_dir)
    )
    assert without_pages.exit_code == ExitCode.BAD_MANIFEST
    assert "Hint: add the event page under 'event: pages: [...]'" in without_pages.stderr
    assert f"oerpack refresh {manifest}" in without_pages.stderr
    assert not cache_dir.exists()


def test_http_404_names_the_source_and_url(
    served: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    served["server"].fault("/files/rec-en.mp4", fail_status=404)
    result = run(
        "build",
        str(served["manifest"]),
        "--out",
        str(tmp_path / "dist"),
        "--cache-dir",
        str(cache_dir),
        "--mirror",
        served["mirror"],
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED
    assert "webinar-1-recording.en" in result.stderr and "404" in result.stderr
    assert "rec-en.mp4" in result.stderr
    assert not (tmp_path / "dist" / "served-event").exists()
