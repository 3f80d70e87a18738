"""Names this wing adds on a stick, beside the package's own (``oerpack/layout.py``)."""

from __future__ import annotations

#: Present while a write is under way; ``oerpack verify`` calls such a stick incomplete.
MARKER = ".oerpack-incomplete"
#: The record of a stick holding several packages (their ids, titles, channels).
STICK_RECORD = "oerpack-stick.json"
#: Suffix of a file being copied; renamed to its name once whole and synced.
PART_SUFFIX = ".oerpack-part"
KOLIBRI_DIR = "KOLIBRI_DATA"
#: Folders an operating system keeps on a stick by itself; never touched.
SYSTEM_DIRS = frozenset({"lost+found"})
