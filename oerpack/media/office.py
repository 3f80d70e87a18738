"""Convert office documents (PPTX, PPT, DOCX, ODP, …) to PDF with LibreOffice headless."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..filetypes import MediaKind, exts_of
from ..pdf import normalize_pdf
from .video import MediaToolError

log = logging.getLogger(__name__)
OFFICE_EXTS = exts_of(MediaKind.OFFICE)
SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    """The LibreOffice executable, if installed (``$OERPACK_SOFFICE`` overrides)."""
    if override := os.environ.get("OERPACK_SOFFICE"):
        return shutil.which(override)
    for name in SOFFICE_NAMES:
        if found := shutil.which(name):
            return found
    return None


def convert_to_pdf(
    src: Path, ext: str, dest: Path, *, soffice: str, identity: str, timeout: float = 300
) -> None:
    """Write a PDF of the office document ``src`` (a file of type ``ext``) to ``dest``.

    Every run gets its own throw-away LibreOffice profile, so parallel builds and a
    user's open LibreOffice do not block each other. LibreOffice stamps the time and a
    random /ID into the PDF; these are replaced (see :func:`oerpack.pdf.normalize_pdf`,
    with ``identity``), so the same LibreOffice and fonts give the same bytes each time.
    """
    with tempfile.TemporaryDirectory(prefix="oerpack-soffice-") as scratch:
        work = Path(scratch)
        named = work / f"document.{ext}"  # LibreOffice picks its filter by the extension
        shutil.copyfile(src, named)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(named),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise MediaToolError(
                f"{src}: LibreOffice did not finish within {timeout:.0f} s",
                hint="the document may be damaged or very large",
            ) from None
        produced = work / "out" / "document.pdf"
        if result.returncode != 0 or not produced.exists():
            raise MediaToolError(
                f"{src}: LibreOffice could not convert the {ext.upper()} to PDF: "
                f"{(result.stderr or result.stdout).strip()[-300:]}",
                hint="open the file in LibreOffice to check that it is not damaged",
            )
        try:
            normalize_pdf(produced, dest, identity=identity)
        except ValueError as exc:
            raise MediaToolError(
                f"{src}: LibreOffice wrote a PDF that cannot be read: {exc}",
                hint="open the file in LibreOffice to check that it is not damaged",
            ) from None
