"""What a link on an event page is: the language its label names, the kind of file it points
to, and whether it is event material at all (one file or one recording) or something else
(a folder, a web page, a platform's channel)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..filetypes import MediaKind, exts_of
from ..platforms import is_platform_collection, is_platform_recording
from .links import PageLink
from .phrases import is_file_label, is_folder_url, is_video_label

# Labels a page uses for a language, casefolded, brackets and punctuation removed.
LANGUAGE_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("en", "eng", "english", "англ", "английский", "anglais", "inglés", "ingles"),
    "ru": ("ru", "rus", "russian", "рус", "русский", "russe", "ruso"),
    "fr": ("fr", "fre", "fra", "french", "français", "francais", "франц", "французский"),
    "es": ("es", "spa", "esp", "spanish", "español", "espanol", "испанский"),
    "ar": ("ar", "ara", "arabic", "العربية", "арабский"),
    "zh": ("zh", "chi", "zho", "chinese", "中文", "китайский"),
    "kk": ("kk", "kaz", "kazakh", "қазақша", "каз", "казахский"),
    "ky": ("ky", "kyr", "kyrgyz", "кыргызча", "кыргызский"),
    "uz": ("uz", "uzb", "uzbek", "o'zbek", "oʻzbek", "узб", "узбекский"),
    "tg": ("tg", "taj", "tajik", "тоҷикӣ", "таджикский"),
}
LABEL_TO_LANG = {label: lang for lang, labels in LANGUAGE_LABELS.items() for label in labels}
DOCUMENT_EXTS = exts_of(
    MediaKind.DOCUMENT, MediaKind.OFFICE, MediaKind.SPREADSHEET, MediaKind.ARCHIVE
)
VIDEO_EXTS = exts_of(MediaKind.VIDEO, MediaKind.AUDIO)


def label_key(text: str) -> str:
    """A label as compared: casefolded, without brackets, punctuation or extra space."""
    cleaned = re.sub(r"[()\[\]{}.,:;!?\"'’«»]+", " ", text.casefold())
    return " ".join(cleaned.split())


def label_language(text: str) -> str | None:
    """The language a link label names: ``Eng`` → en, ``… (Russian)`` → ru, else None."""
    if lang := LABEL_TO_LANG.get(label_key(text)):
        return lang
    tail = re.search(r"\(([^()]+)\)?\s*$", text)
    return LABEL_TO_LANG.get(label_key(tail.group(1))) if tail else None


def link_ext(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_video(url: str) -> bool:
    """A video or audio file, or one recording's page on a video platform."""
    return link_ext(url) in VIDEO_EXTS or is_platform_recording(url)


def is_source_link(link: PageLink) -> bool:
    """A link to event material (one file or one recording) rather than to another page,
    a folder (an HTML slide deck) or a platform's channel or playlist."""
    if is_platform_collection(link.url):
        return False
    return (
        label_language(link.text) is not None
        or link_ext(link.url) in DOCUMENT_EXTS
        or is_video(link.url)
    )


def not_taken(link: PageLink) -> str | None:
    """Why a link that looks like material is not a source, for the maintainer."""
    if is_platform_collection(link.url):
        return (
            f"{link.text!r} is a video platform's channel or playlist, not one recording: "
            f"{link.url} (add the recordings you want one by one, with 'via: yt-dlp')"
        )
    if is_file_label(link.text) and not is_source_link(link):
        what = (
            "a video page oerpack does not know"
            if is_video_label(link.text)
            else "a folder (e.g. HTML slides)"
            if is_folder_url(link.url)
            else "a web page"
        )
        return (
            f"{link.text!r} links to {what}, "
            f"not a file: {link.url} (save it as PDF/MP4 and add it with 'path:', or leave it)"
        )
    return None
