"""The ZIM output: pure decisions (languages, metadata, titles, page policy), the written
file read back with libzim, `oerpack verify` on ZIMs, and what libzim allows for
reproducibility. Kiwix's own tools and a browser are in tests/e2e/test_kiwix.py."""

# Russian titles are Cyrillic on purpose.

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from libzim.reader import Archive  # type: ignore[import-untyped]

from oerpack.build import BuildOutcome, build_package
from oerpack.cli import main
from oerpack.errors import DamagedPackageError, PackageError
from oerpack.layout import SUMS_NAME
from oerpack.models import Text
from oerpack.package.checksums import format_sums
from oerpack.settings import Settings
from oerpack.zim.entries import (
    Indexed,
    ZimEntry,
    both_titles,
    index_language,
    page_entry,
    shorten,
    sums_entry,
    zim_language,
)
from oerpack.zim.icon import plain_icon
from oerpack.zim.render import served_page, served_policy
from oerpack.zim.verify import is_zim, verify_zim
from oerpack.zim.zimfile import read_entries, write_zim
from tests.conftest import copy_demo
from tests.support.media import make_pdf

FILE_POLICY = (
    "default-src 'none'; script-src 'self' file:; style-src 'self' file:; "
    "img-src 'self' file: data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)
PLAIN = """\
oerpack: 1
event: {id: plain, title: Plain event with a rather long title for Kiwix, languages: [ru],
        publisher: Издатель, license: not-stated}
items:
  - {id: doc, title: Документ, kind: document, sources: [{lang: ru, path: doc.pdf}]}
"""


@pytest.mark.parametrize(
    ("langs", "expected"), [(("en", "ru"), "eng,rus"), (("ru",), "rus"), (("kk", "en"), "kaz,eng")]
)
def test_languages_are_iso_639_3(langs: tuple[str, ...], expected: str) -> None:
    assert zim_language(langs) == expected


def test_an_unknown_language_is_an_error_not_a_guess() -> None:
    with pytest.raises(PackageError, match="'xx'"):
        zim_language(("en", "xx"))


@pytest.mark.parametrize(
    ("langs", "expected"), [(("en", "ru"), "rus"), (("en",), "eng"), (("kk", "ru"), "rus")]
)
def test_the_index_stems_russian_when_the_event_has_it(
    langs: tuple[str, ...], expected: str
) -> None:
    assert index_language(langs) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 30, "short"),
        ("Virtual Central Asian Symposium on Innovation", 30, "Virtual Central Asian…"),
        ("one   two\nthree", 30, "one two three"),
        ("abcdefghij", 5, "abcd…"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_both_titles_start_with_the_files_language() -> None:
    title = Text((("en", "Talk"), ("ru", "Доклад")))
    assert both_titles(title, "ru") == "Доклад / Talk"
    assert both_titles(title, "en") == "Talk / Доклад"
    assert both_titles(Text((("en", "Same"), ("ru", "Same"))), "ru") == "Same"


def test_served_policy_allows_the_same_origin_and_nothing_else() -> None:
    policy = served_policy(FILE_POLICY + ";")
    assert "file:" not in policy
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["form-action"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["default-src"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert all("http" not in token for tokens in directives.values() for token in tokens)


def test_served_page_adapts_the_one_policy_or_refuses() -> None:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{FILE_POLICY}">'
    page = served_page(f"<head>{meta}</head>".encode(), "index.html")
    assert b"file:" not in page and b"form-action 'self'" in page
    assert served_page(b"<p>no policy</p>", "a.html") == b"<p>no policy</p>"
    with pytest.raises(PackageError, match=r"b\.html"):
        served_page(b'<meta content="x" http-equiv="Content-Security-Policy">', "b.html")


@pytest.fixture(scope="module")
def demo_zim(tmp_path_factory: pytest.TempPathFactory) -> BuildOutcome:
    work = tmp_path_factory.mktemp("zim-demo")
    settings = Settings(cache_dir=work / "cache", retries=0, backoff=0.0)
    return build_package(copy_demo(work / "m"), work / "dist", settings, make_zim=True)


@pytest.mark.slow
def test_the_zim_holds_the_viewer_readers_and_each_media_file_once(
    demo_zim: BuildOutcome,
) -> None:
    assert demo_zim.zim is not None
    archive = Archive(demo_zim.zim.path)
    assert archive.main_entry.get_item().path == "index.html"
    assert archive.has_fulltext_index and archive.has_title_index
    assert archive.get_illustration_sizes() == {48}
    package = demo_zim.package.folder
    sums = (package / SUMS_NAME).read_text(encoding="utf-8")
    media = {line.split("  ", 1)[1] for line in sums.splitlines() if "KOLIBRI_DATA/" in line}
    media -= {n for n in media if n.endswith(".sqlite3")}  # Kolibri's database: not for Kiwix
    zim_entries = dict(read_entries(demo_zim.zim.path))
    assert media <= set(zim_entries)
    for name in media:  # the same bytes as the package folder's
        assert zim_entries[name] == hashlib.sha256((package / name).read_bytes()).hexdigest()
    assert {"index.html", "assets/viewer.js", "assets/search-data.js"} <= set(zim_entries)
    for named in (package / "files").iterdir():  # the viewer's named downloads: redirects
        entry = archive.get_entry_by_path(f"files/{named.name}")
        assert entry.is_redirect
        assert entry.get_redirect_entry().path in media
    readers = {n for n in zim_entries if n.startswith("pages/") and n.endswith("index.html")}
    assert len(readers) == 4
    stored = sum(archive.get_entry_by_path(n).get_item().size for n in media)
    assert demo_zim.zim.size < stored + 1_000_000  # each media file once, plus indexes


@pytest.mark.slow
def test_metadata_kiwix_shows(demo_zim: BuildOutcome) -> None:
    assert demo_zim.zim is not None
    archive = Archive(demo_zim.zim.path)
    meta = {
        k: bytes(archive.get_metadata(k)).decode()
        for k in archive.metadata_keys
        if not k.startswith("Illustration_")
    }
    assert meta["Name"] == "oerpack_mul_demo"
    assert meta["Title"] == "oerpack sample package"
    assert meta["Language"] == "eng,rus"
    assert meta["Creator"] == "oerpack (sample)"
    assert meta["Date"] == "2020-10-01"  # the event's day: no fetch dates for local files
    assert meta["License"] == "CC BY 4.0 (oerpack contributors)"
    assert len(meta["Description"]) <= 80 and meta["LongDescription"]
    assert "_ftindex:yes" in meta["Tags"].split(";")
    assert "_videos:yes" in meta["Tags"].split(";")


@pytest.mark.slow
def test_a_licence_not_stated_is_not_invented(tmp_path: Path) -> None:
    make_pdf(tmp_path / "doc.pdf", ["Текст"])
    (tmp_path / "plain.yaml").write_text(PLAIN, encoding="utf-8")
    settings = Settings(cache_dir=tmp_path / "cache", retries=0, backoff=0.0)
    outcome = build_package(
        tmp_path / "plain.yaml", tmp_path / "dist", settings, make_zip=False, make_zim=True
    )
    assert outcome.zim is not None
    archive = Archive(outcome.zim.path)
    assert "License" not in archive.metadata_keys
    assert "Source" not in archive.metadata_keys
    assert bytes(archive.get_metadata("Language")) == b"rus"
    assert len(bytes(archive.get_metadata("Title")).decode()) <= 30
    assert verify_zim(outcome.zim.path).ok


@pytest.mark.slow
def test_same_input_gives_the_same_entries_not_the_same_bytes(
    demo_zim: BuildOutcome, tmp_path: Path
) -> None:
    """libzim gives every ZIM a random UUID, and its Xapian indexes their own UUIDs and
    block layout, so the bytes (and libzim's MD5) differ; every entry and metadata are
    the same."""
    assert demo_zim.zim is not None
    settings = Settings(cache_dir=tmp_path / "cache", retries=0, backoff=0.0)
    again = build_package(copy_demo(tmp_path / "m"), tmp_path / "dist", settings, make_zim=True)
    assert again.zim is not None
    assert list(read_entries(again.zim.path)) == list(read_entries(demo_zim.zim.path))
    first, second = Archive(demo_zim.zim.path), Archive(again.zim.path)
    assert first.metadata_keys == second.metadata_keys
    for key in first.metadata_keys:
        assert bytes(first.get_metadata(key)) == bytes(second.get_metadata(key)), key
    assert first.uuid != second.uuid


@pytest.mark.slow
def test_cli_build_prints_the_zim_beside_the_zip_and_verify_checks_it(tmp_path: Path) -> None:
    manifest = copy_demo(tmp_path / "m")
    runner = CliRunner()
    out = tmp_path / "dist"
    built = runner.invoke(
        main,
        [
            "-q",
            "build",
            str(manifest),
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "c"),
            "--zim",
        ],
    )
    assert built.exit_code == 0, built.output
    assert f"ZIM:     {out / 'demo.zim'} (" in built.output
    assert f"Zip:     {out / 'demo.zip'} (" in built.output
    checked = runner.invoke(main, ["verify", str(out / "demo.zim")])
    assert checked.exit_code == 0, checked.output
    assert "entries match SHA256SUMS" in checked.output
    data = bytearray((out / "demo.zim").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (out / "broken.zim").write_bytes(bytes(data))
    broken = runner.invoke(main, ["verify", str(out / "broken.zim")])
    assert broken.exit_code == 6
    assert "checksum does not match" in broken.output


def _tiny_zim(path: Path, entries: list[ZimEntry]) -> Path:
    return write_zim(
        path,
        entries,
        [("Name", "t"), ("Title", "t"), ("Language", "eng")],
        illustration=plain_icon("t"),
        main_path="index.html",
        index_language="eng",
    )


def test_verify_reports_corrupt_missing_and_unexpected_entries(tmp_path: Path) -> None:
    """A ZIM whose own checksum holds but whose entries do not match its SHA256SUMS."""
    good = b"<html><body>good</body></html>"
    sums = {
        "index.html": hashlib.sha256(good).hexdigest(),
        "a.txt": hashlib.sha256(b"what was recorded").hexdigest(),
        "gone.txt": hashlib.sha256(b"gone").hexdigest(),
    }
    zim = _tiny_zim(
        tmp_path / "t.zim",
        [
            ZimEntry(path="index.html", mime="text/html", data=good, index=Indexed("t", "t")),
            ZimEntry(path="a.txt", mime="text/plain", data=b"other bytes"),
            ZimEntry(path="extra.txt", mime="text/plain", data=b"extra"),
            ZimEntry(path=SUMS_NAME, mime="text/plain", data=format_sums(sums).encode()),
        ],
    )
    assert is_zim(zim) and not is_zim(tmp_path / "missing.zim")
    report = verify_zim(zim)
    assert (report.corrupt, report.missing, report.unexpected) == (
        ("a.txt",),
        ("gone.txt",),
        ("extra.txt",),
    )
    assert report.checked == 2 and not report.ok
    result = CliRunner().invoke(main, ["verify", str(zim)])
    assert result.exit_code == 6
    assert "corrupt: a.txt" in result.output


def test_redirects_name_media_again_without_a_copy(tmp_path: Path) -> None:
    body = b"%PDF-1.4 pretend"
    media = ZimEntry(
        path="KOLIBRI_DATA/x.pdf",
        mime="application/pdf",
        data=body,
        sha256=hashlib.sha256(body).hexdigest(),
    )
    alias = ZimEntry(path="files/talk-ru.pdf", mime="application/pdf", redirect=media.path)
    page = page_entry("index.html", b"<p>x</p>", index=Indexed("t", "t"))
    zim = _tiny_zim(tmp_path / "r.zim", [page, media, alias, sums_entry([page, media, alias])])
    archive = Archive(zim)
    entry = archive.get_entry_by_path("files/talk-ru.pdf")
    assert entry.is_redirect and entry.get_redirect_entry().path == media.path
    assert bytes(entry.get_item().content) == body
    assert [name for name, _ in read_entries(zim)].count(media.path) == 1
    assert verify_zim(zim).ok and verify_zim(zim).checked == 2


def test_verify_needs_the_sums_entry(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    zim = _tiny_zim(
        tmp_path / "t.zim", [ZimEntry(path="index.html", mime="text/html", data=b"<p>x</p>")]
    )
    assert "Resolve redirect" not in capfd.readouterr().out  # libzim's chatter is silenced
    with pytest.raises(DamagedPackageError, match="no SHA256SUMS"):
        verify_zim(zim)


def test_a_truncated_zim_is_damaged(tmp_path: Path) -> None:
    zim = _tiny_zim(
        tmp_path / "t.zim", [ZimEntry(path="index.html", mime="text/html", data=b"<p>x</p>")]
    )
    (tmp_path / "cut.zim").write_bytes(zim.read_bytes()[:200])
    with pytest.raises(DamagedPackageError):
        verify_zim(tmp_path / "cut.zim")


def test_a_failed_write_leaves_no_zim(tmp_path: Path) -> None:
    """libzim fails on a media file that vanished: nothing at the target, no temporary."""
    (tmp_path / "old.zim").write_bytes(b"the previous ZIM")
    with pytest.raises(RuntimeError):
        _tiny_zim(
            tmp_path / "old.zim",
            [
                ZimEntry(path="index.html", mime="text/html", data=b"<p>x</p>"),
                ZimEntry(path="v.mp4", mime="video/mp4", file=tmp_path / "vanished.mp4"),
            ],
        )
    assert (tmp_path / "old.zim").read_bytes() == b"the previous ZIM"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.zim"]
