"""Converted office documents are reproducible: no conversion time, no random /ID."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

from oerpack.build import build_package
from oerpack.media.derive import MediaOptions, Task
from oerpack.media.office import convert_to_pdf, find_soffice
from oerpack.pdf import normalize_pdf, read_pdf
from oerpack.settings import Settings
from tests.support.media import make_pdf
from tests.support.office import make_docx, make_pptx

SLIDES = [("Заголовок один", "Kangaroo body text, кириллица"), ("Second slide", "Wombat")]
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmp:MetadataDate="{date}">
   <xmp:CreatorTool>Impress</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _stamp(src: Path, dest: Path, *, second: int) -> Path:
    """``src`` as a converter leaves it: dated (Info and XMP), with a random-looking /ID."""
    writer = PdfWriter(clone_from=PdfReader(src))
    date = f"D:20250101120{second:02d}Z"
    writer.add_metadata({"/CreationDate": date, "/ModDate": date})
    writer.xmp_metadata = XMP.format(
        date=f"2025-01-01T12:00:{second:02d}Z", uuid=f"{second:08d}-aaaa-bbbb-cccc-dddddddddddd"
    ).encode()
    token = ByteStringObject(hashlib.md5(str(second).encode()).digest())
    writer._ID = ArrayObject([token, token])
    with dest.open("wb") as out:
        writer.write(out)
    return dest


def test_normalize_pdf_removes_dates_and_fixes_the_id(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Первая страница", "Second page"], title="Титул")
    one = _stamp(plain, tmp_path / "one.pdf", second=1)
    two = _stamp(plain, tmp_path / "two.pdf", second=2)
    assert one.read_bytes() != two.read_bytes()

    normalize_pdf(one, tmp_path / "one-n.pdf", identity="recipe")
    normalize_pdf(two, tmp_path / "two-n.pdf", identity="recipe")
    normalized = (tmp_path / "one-n.pdf").read_bytes()
    assert normalized == (tmp_path / "two-n.pdf").read_bytes()
    assert normalized.startswith(one.read_bytes()[:9])  # the same %PDF-1.x header

    reader = PdfReader(tmp_path / "one-n.pdf")
    assert reader.metadata is not None
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    assert reader.metadata.title == "Титул"
    digest = hashlib.md5(b"recipe").digest()
    assert [bytes(part) for part in reader.trailer["/ID"]] == [digest, digest]
    xmp = reader.root_object["/Metadata"].get_object().get_data()
    assert b"2025-01-01" not in xmp and b"Date" not in xmp
    assert b"<xmp:CreatorTool>Impress</xmp:CreatorTool>" in xmp
    assert b"uuid:00000001" not in xmp and b"<xmpMM:InstanceID>uuid:" in xmp
    assert read_pdf(tmp_path / "one-n.pdf") == read_pdf(plain)


def test_normalize_pdf_id_follows_the_identity(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Text"])
    normalize_pdf(plain, tmp_path / "a.pdf", identity="a")
    normalize_pdf(plain, tmp_path / "b.pdf", identity="b")
    assert (tmp_path / "a.pdf").read_bytes() != (tmp_path / "b.pdf").read_bytes()
    assert read_pdf(tmp_path / "a.pdf") == read_pdf(tmp_path / "b.pdf") == read_pdf(plain)


def test_normalize_pdf_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n%broken")
    with pytest.raises(ValueError, match="cannot normalise"):
        normalize_pdf(broken, tmp_path / "out.pdf", identity="x")
    assert not (tmp_path / "out.pdf").exists()


def test_office_pdf_recipe_is_new_and_other_keys_are_kept() -> None:
    def old_key(task: Task) -> str:
        payload = json.dumps(
            [task.kind, task.input_sha256, task.input_ext, task.profile, task.out_ext, 1]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    office = Task("office-pdf", "k", "k~pdf", "s" * 64, "pptx", out_ext="pdf")
    thumb = Task("thumbnail", "k", "k", "s" * 64, "pdf", out_ext="png")
    assert office.cache_key != old_key(office)  # conversions from before are redone
    assert thumb.cache_key == old_key(thumb)  # nothing else is


SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


@pytest.mark.e2e
@needs_soffice
@pytest.mark.parametrize("ext", ["pptx", "docx"])
def test_the_same_document_converts_to_the_same_bytes(tmp_path: Path, ext: str) -> None:
    assert SOFFICE is not None
    if ext == "pptx":
        src = make_pptx(tmp_path / "doc.pptx", SLIDES)
    else:
        src = make_docx(tmp_path / "doc.docx", [f"{title}. {body}" for title, body in SLIDES])
    outputs = []
    for run in ("first", "second"):
        dest = tmp_path / run / "doc.pdf"
        convert_to_pdf(src, ext, dest, soffice=SOFFICE, identity="doc-recipe")
        outputs.append(dest.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"/CreationDate" not in outputs[0] and b"/ModDate" not in outputs[0]
    info = read_pdf(tmp_path / "first" / "doc.pdf")
    assert info is not None
    assert info.pages == (2 if ext == "pptx" else 1)
    for title, body in SLIDES:
        assert title in info.text and body in info.text


MANIFEST = """\
oerpack: 1
event:
  id: office-repro
  title: Office reproducibility
  languages: [en]
  publisher: Test
  license: CC BY 4.0
items:
  - id: slides
    title: Slides
    kind: presentation
    sources:
      - {lang: en, path: files/slides.pptx}
"""


@pytest.mark.e2e
@needs_soffice
def test_builds_with_fresh_caches_give_identical_zips_and_databases(tmp_path: Path) -> None:
    make_pptx(tmp_path / "m" / "files" / "slides.pptx", SLIDES)
    manifest = tmp_path / "m" / "office.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    media = MediaOptions(thumbnails=False, page_images=False)
    results = []
    for run in ("a", "b"):  # a second machine, or the same one after the cache is cleared
        settings = Settings(cache_dir=tmp_path / run / "cache", backoff=0, retries=0)
        outcome = build_package(manifest, tmp_path / run / "out", settings, media=media)
        shutil.rmtree(tmp_path / run / "cache")
        results.append(outcome)
    one, two = (r.package for r in results)
    record = json.loads((one.folder / "oerpack.json").read_text(encoding="utf-8"))
    assert "slides.en~pdf" in [f["key"] for f in record["files"]]
    assert results[0].channel_version == results[1].channel_version
    assert one.zip_path and two.zip_path
    assert one.zip_path.read_bytes() == two.zip_path.read_bytes()
    (db_one,) = (one.folder / "KOLIBRI_DATA/content/databases").glob("*.sqlite3")
    (db_two,) = (two.folder / "KOLIBRI_DATA/content/databases").glob("*.sqlite3")
    assert db_one.read_bytes() == db_two.read_bytes()
