"""The FAT32/Windows file-name rules, once: what a name on a stick may not be.

FAT32 (long names) and Windows refuse the characters ``< > : " / \\ | ? *`` and control
characters, names ending in a space or a dot, the device names CON, PRN, AUX, NUL, COM1-9 and
LPT1-9 (with any extension), and components longer than 255 characters. They also fold case,
so two names that differ only in case are one file.
"""

from __future__ import annotations

import re
import unicodedata

MAX_COMPONENT = 255
RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)),
    }
)
BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_BAD_RUNS = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def is_reserved(component: str) -> bool:
    """``con``, ``NUL.txt``, ``com1.pdf``: device names Windows will not create."""
    return component.split(".")[0].lower() in RESERVED


def component_ok(component: str) -> bool:
    """Whether one path component can be written to FAT32 and Windows as it is."""
    return bool(
        component
        and len(component) <= MAX_COMPONENT
        and not BAD_CHARS.search(component)
        and not component.endswith((" ", "."))
        and not is_reserved(component)
    )


def safe_component(name: str, *, max_len: int = 120, fallback: str = "file") -> str:
    """One path component that is valid on FAT32, NTFS, ext4 and in a zip: no separators,
    no ``..``, no reserved device names, no trailing dots or spaces."""
    text = unicodedata.normalize("NFC", name)
    text = _BAD_RUNS.sub("_", text).strip(" .")
    if not text or set(text) <= {"."}:
        text = fallback
    if is_reserved(text):
        text = "_" + text
    encoded = text.encode("utf-8")[:max_len]
    return encoded.decode("utf-8", errors="ignore").rstrip(" .") or fallback
