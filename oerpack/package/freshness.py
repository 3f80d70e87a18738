"""Whether a package folder on disk already is what a build would write: a digest of the
build's inputs, recorded in its ``oerpack.json``, lets an unchanged rebuild keep the folder."""

from __future__ import annotations

import hashlib
import json
import os
from importlib.resources.abc import Traversable
from pathlib import Path

from .. import __version__
from ..layout import RECORD_NAME, SUMS_NAME
from ..plan import Plan
from .checksums import parse_sums

#: Bump when assembling changes in a way the plan does not show.
ASSEMBLY_FORMAT = "oerpack-assembly-1"


def _tree_digest(root: Traversable, digest: hashlib._Hash, prefix: str = "") -> None:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            _tree_digest(entry, digest, f"{name}/")
        elif entry.is_file() and not entry.name.endswith((".pyc", ".pyo")):
            digest.update(f"{name}\0".encode())
            digest.update(hashlib.sha256(entry.read_bytes()).digest())


def templates_digest(root: Traversable) -> str:
    """A digest of every template and static asset (an edited template changes the viewer
    even when oerpack's version does not)."""
    digest = hashlib.sha256()
    _tree_digest(root, digest)
    return digest.hexdigest()


def assembly_inputs(plan: Plan, templates: str) -> str:
    """A digest of everything a package folder is made from: the plan's content hash (the
    manifest, every source's and every derived file's checksum), the channel version, this
    oerpack and its templates."""
    payload = json.dumps(
        [
            ASSEMBLY_FORMAT,
            __version__,
            templates,
            plan.package_id,
            plan.channel_id,
            plan.channel_version,
            plan.content_hash,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def recorded_inputs(folder: Path) -> str | None:
    """The inputs digest a package folder's ``oerpack.json`` records, if any."""
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
        value = record["build"]["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _names_below(folder: Path) -> set[str]:
    names: set[str] = set()
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        relative = os.path.relpath(top, folder)
        base = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        names.update(base + name for name in files)
    return names


def package_is_current(folder: Path, inputs: str) -> bool:
    """Whether ``folder`` was built from ``inputs`` and still holds exactly the files its
    SHA256SUMS lists (their bytes are not re-read: ``oerpack verify`` does that)."""
    if recorded_inputs(folder) != inputs:
        return False
    try:
        sums = folder / SUMS_NAME
        listed = set(parse_sums(sums.read_text(encoding="utf-8"), source=str(sums)))
    except (OSError, ValueError):
        return False
    return _names_below(folder) == listed | {SUMS_NAME}
