"""Write a channel as a Kolibri content database; the only sqlite3 user."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic, layout
from .schema import CONTENT_SCHEMA_VERSION, DDL
from .tree import Channel

if TYPE_CHECKING:  # imported where a database is written: a rebuild that keeps it writes none
    import sqlite3

_NODE_COLUMNS = (
    "id",
    "license_name",
    "license_description",
    "title",
    "coach_content",
    "content_id",
    "channel_id",
    "description",
    "sort_order",
    "license_owner",
    "author",
    "kind",
    "available",
    "options",
    "grade_levels",
    "resource_types",
    "learning_activities",
    "accessibility_labels",
    "categories",
    "learner_needs",
    "duration",
    "lft",
    "rght",
    "tree_id",
    "level",
    "lang_id",
    "parent_id",
)


def channel_db_path(package_dir: Path, channel_id: str) -> Path:
    """``<package>/KOLIBRI_DATA/content/databases/<channel_id>.sqlite3``."""
    return package_dir / layout.database_path(channel_id)


def _insert(
    db: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    marks = ", ".join("?" for _ in columns)
    db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _write(db: sqlite3.Connection, channel: Channel) -> None:
    db.executescript(DDL)
    _insert(
        db,
        "content_language",
        ("id", "lang_code", "lang_subcode", "lang_name", "lang_direction"),
        [
            (lang.id, lang.id.split("-")[0][:3], None, lang.name, lang.direction)
            for lang in channel.languages
        ],
    )
    _insert(
        db,
        "content_contentnode",
        _NODE_COLUMNS,
        [
            (
                n.id,
                n.license_name,
                n.license_description,
                n.title,
                False,
                n.content_id,
                channel.id,
                n.description,
                float(n.sort_order),
                n.license_owner,
                n.author,
                n.kind,
                False,
                None,
                None,
                None,
                n.learning_activities,
                None,
                None,
                None,
                n.duration,
                n.lft,
                n.rght,
                1,
                n.level,
                n.lang,
                n.parent_id,
            )
            for n in channel.nodes
        ],
    )
    local = sorted({(f.md5, f.ext, f.size) for f in channel.files})
    _insert(
        db,
        "content_localfile",
        ("id", "extension", "available", "file_size"),
        [(md5, ext, False, size) for md5, ext, size in local],
    )
    _insert(
        db,
        "content_file",
        (
            "id",
            "preset",
            "supplementary",
            "thumbnail",
            "priority",
            "contentnode_id",
            "lang_id",
            "local_file_id",
        ),
        [
            (f.id, f.preset, f.supplementary, f.thumbnail, f.priority, f.node_id, f.lang, f.md5)
            for f in channel.files
        ],
    )
    # last_updated stays NULL: Kolibri sets it on import, and a timestamp would make the
    # database differ between two builds of the same content.
    _insert(
        db,
        "content_channelmetadata",
        (
            "id",
            "name",
            "description",
            "tagline",
            "author",
            "version",
            "thumbnail",
            "last_updated",
            "min_schema_version",
            "root_id",
        ),
        [
            (
                channel.id,
                channel.name,
                channel.description,
                None,
                channel.author,
                channel.version,
                "",
                None,
                CONTENT_SCHEMA_VERSION,
                channel.root_id,
            )
        ],
    )


def write_channel_db(channel: Channel, path: Path) -> Path:
    """Write ``channel`` to ``path`` (replacing it) through a temporary file.

    The same channel always gives the same bytes: fixed row order, no timestamps, and the
    rollback journal (no WAL files left beside it).
    """
    import sqlite3

    with atomic.replacing(path) as tmp, closing(sqlite3.connect(tmp)) as db:
        db.execute("PRAGMA journal_mode=DELETE")
        with db:
            _write(db, channel)
    return path
