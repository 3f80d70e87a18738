"""Where everything sits inside a package: the one place that names its paths.

A package folder (``OUT/<id>/``), its zip (``OUT/<id>.zip``, whose entries sit under
``<id>/``) and a stick all share this layout::

    index.html            the viewer (opens by double-click)
    assets/               the viewer's scripts, styles and search data
      subtitles/<n>.js    subtitle cues as scripts (browsers refuse <track> from file://)
    pages/<key>/          the page-by-page reader of a document
    files/<item>-<src>.<ext>  human-named copies of documents, for "Download" from file://
    KOLIBRI_DATA/content/databases/<channel>.sqlite3
    KOLIBRI_DATA/content/storage/<a>/<b>/<md5>.<ext>
    README.txt            what this is, in English and Russian
    oerpack.json          the build record
    SHA256SUMS            every other file's sha256 (written last)

A stick holding several packages (``oerpack write``) has instead::

    index.html            the home page listing every package
    <id>/                 each package less its KOLIBRI_DATA (links moved one folder up)
    KOLIBRI_DATA/         every channel; media shared between channels stored once
    oerpack-stick.json    the stick's record (written last but one)
    SHA256SUMS            every other file on the stick (written last)

and, while a write is under way, ``.oerpack-incomplete`` and ``.oerpack-verified`` (the files
read back good so far) at its root.
"""

from __future__ import annotations

from pathlib import PurePosixPath

INDEX_HTML = "index.html"
ASSETS_DIR = "assets"
SEARCH_DATA_NAME = "search-data.js"
SEARCH_DATA = f"{ASSETS_DIR}/{SEARCH_DATA_NAME}"
SEARCH_TEXT_NAME = "search-text.js"  # document text for result snippets, loaded after
SEARCH_TEXT = f"{ASSETS_DIR}/{SEARCH_TEXT_NAME}"
CUES_DIR = f"{ASSETS_DIR}/subtitles"
PAGES_DIR = "pages"
DOWNLOADS_DIR = "files"
KOLIBRI_DIR = "KOLIBRI_DATA"
STORAGE_DIR = f"{KOLIBRI_DIR}/content/storage"
DATABASES_DIR = f"{KOLIBRI_DIR}/content/databases"
README_NAME = "README.txt"
RECORD_NAME = "oerpack.json"
SUMS_NAME = "SHA256SUMS"


def storage_path(md5: str, ext: str) -> str:
    """Kolibri's storage path for a file: ``KOLIBRI_DATA/content/storage/a/b/ab….ext``."""
    return f"{STORAGE_DIR}/{md5[0]}/{md5[1]}/{md5}.{ext}"


def database_path(channel_id: str) -> str:
    return f"{DATABASES_DIR}/{channel_id}.sqlite3"


def reader_path(safe_key: str) -> str:
    """The page-by-page reader of a document (``safe_key``: one safe path component)."""
    return f"{PAGES_DIR}/{safe_key}/index.html"


def download_path(name: str) -> str:
    """A human-named copy of a document (``name``: one safe path component)."""
    return f"{DOWNLOADS_DIR}/{name}"


def cues_path(vtt_dest: str) -> str:
    """The script holding a subtitle file's cues, for the viewer from file://."""
    return f"{CUES_DIR}/{PurePosixPath(vtt_dest).stem}.js"


def zim_name(package_id: str) -> str:
    """The ZIM file for Kiwix beside the package folder (``build --zim``); inside it the
    entries keep the paths above."""
    return f"{package_id}.zim"


def zip_name(package_id: str) -> str:
    """The zip beside the package folder; its entries sit under ``<package_id>/``."""
    return f"{package_id}.zip"


#: Present at a stick's root while a write is under way: an interrupted write is incomplete.
STICK_MARKER = ".oerpack-incomplete"
#: Beside the marker: the files an unfinished write already read back good.
STICK_JOURNAL = ".oerpack-verified"
#: The record of a stick holding several packages.
STICK_RECORD = "oerpack-stick.json"
