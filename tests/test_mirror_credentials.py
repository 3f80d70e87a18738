"""A ``--mirror`` with ``user:password@`` is used for the requests, but the password never
reaches the lock (which people commit), the package, oerpack.json or any printed message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.credentials import mask_credentials
from oerpack.errors import DownloadError
from oerpack.lock import lock_path
from tests.support.fetching import write_manifest
from tests.support.media import make_pdf
from tests.support.server import FaultServer

ORIGIN = "https://files.example.org/"
SECRET = "s3cr3t-pa55"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def mirrored(fault_server: FaultServer, tmp_path: Path) -> tuple[Path, list[str]]:
    fault_server.add("/doc.pdf", make_pdf(tmp_path / "doc.pdf", ["Mirrored"]).read_bytes())
    fault_server.fault("/old.pdf", redirect_to="/doc.pdf")
    manifest = write_manifest(
        tmp_path / "m" / "event.yaml",
        [{"id": "doc", "url": ORIGIN + "old.pdf"}, {"id": "gone", "url": ORIGIN + "gone.pdf"}],
    )
    mirror = fault_server.base_url.replace("http://", f"http://mirror-user:{SECRET}@") + "/"
    options = ["--cache-dir", str(tmp_path / "c"), "--mirror", f"{ORIGIN}={mirror}"]
    return manifest, [*options, "--backoff", "0", "--retries", "0"]


def test_credentials_stay_out_of_lock_package_and_messages(
    fault_server: FaultServer, tmp_path: Path, mirrored: tuple[Path, list[str]]
) -> None:
    manifest, options = mirrored
    fetched = run("fetch", str(manifest), *options)
    assert fetched.exit_code == 4, fetched.output  # gone.pdf is a 404
    assert "HTTP 404" in fetched.stderr and "http://***@127.0.0.1:" in fetched.stderr
    lock = lock_path(manifest).read_text(encoding="utf-8")
    assert "/doc.pdf" in lock and "***@" in lock
    used = fault_server.stats("/doc.pdf").requests[0].header("Authorization")
    assert used is not None and used.startswith("Basic ")  # the mirror did get them

    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(ORIGIN + "gone.pdf", ORIGIN + "old.pdf"),
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    built = run("build", str(manifest), *options, "--out", str(out), "--no-page-images", "--no-zip")
    assert built.exit_code == 0, built.output
    refreshed = run("refresh", str(manifest), *options)
    assert refreshed.exit_code == 0, refreshed.output
    rows = refreshed.output.splitlines()
    assert [r for r in rows if r.startswith("unchanged")], rows  # masked final URLs compare equal

    said = fetched.output + built.output + refreshed.output
    assert SECRET not in said and "mirror-user" not in said
    assert SECRET not in lock_path(manifest).read_text(encoding="utf-8")
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("http://u:p@h/x", "http://***@h/x"),
        ("see https://u:p%40w@m.local:8080/a.pdf, ok", "see https://***@m.local:8080/a.pdf, ok"),
        ("http://h/x?a=b@c", "http://h/x?a=b@c"),
        ("http://h?a=b@c", "http://h?a=b@c"),
        ("mailto:a@b.org", "mailto:a@b.org"),
    ],
)
def test_mask_credentials(text: str, masked: str) -> None:
    assert mask_credentials(text) == masked


def test_errors_never_carry_credentials() -> None:
    error = DownloadError(
        "HTTP 404", key="a.en", url="http://u:pw@h/a.pdf", hint="see http://u:pw@h/"
    )
    assert (
        "pw" not in str(error)
        and "pw" not in (error.hint or "")
        and error.url == "http://***@h/a.pdf"
    )


def test_a_manifest_url_with_its_own_credentials_keeps_its_pin(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    """The manifest's own address is recorded as written (the lock pins it); only where it
    led is masked."""
    fault_server.add("/doc.pdf", make_pdf(tmp_path / "doc.pdf", ["Own"]).read_bytes())
    url = fault_server.url("/doc.pdf").replace("http://", "http://me:pw@")
    manifest = write_manifest(tmp_path / "m.yaml", [{"id": "doc", "url": url}])
    cache = ["--cache-dir", str(tmp_path / "c"), "--backoff", "0"]
    assert run("fetch", str(manifest), *cache).exit_code == 0
    lock = lock_path(manifest).read_text(encoding="utf-8")
    assert f'"url": "{url}"' in lock and '"final_url": "http://***@127.0.0.1' in lock
    fault_server.reset_stats()
    again = run("fetch", str(manifest), *cache)
    assert again.exit_code == 0 and "cached  doc.en" in again.stderr
    assert fault_server.stats("/doc.pdf").count == 0  # the lock's pin found it in the cache
    refreshed = run("refresh", str(manifest), *cache)
    assert refreshed.exit_code == 0
    assert [r for r in refreshed.output.splitlines() if r.startswith("unchanged")]
    assert "pw" not in refreshed.output
