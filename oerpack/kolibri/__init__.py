"""The package as a Kolibri channel: tree (pure), schema DDL and the database writer."""

from .db import channel_db_path, write_channel_db
from .tree import Channel, Node, NodeFile, build_channel, kolibri_renderable

__all__ = [
    "Channel",
    "Node",
    "NodeFile",
    "build_channel",
    "channel_db_path",
    "kolibri_renderable",
    "write_channel_db",
]
