"""Read a manifest (YAML) into a validated ``Manifest``; every problem names file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import cast
from urllib.parse import urlsplit

from .errors import ManifestError, ManifestErrors
from .fatnames import is_reserved
from .models import (
    ITEM_KINDS,
    NOT_STATED,
    Event,
    Item,
    ItemKind,
    Manifest,
    Section,
    Source,
    Speaker,
)
from .yamlnodes import Node, NodeReader, is_int_scalar, is_sequence, read_yaml

FORMAT_VERSION = 1
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_URL_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")

# The keys each mapping may hold; the JSON Schema in oerpack/schema is tested against these.
TOP_KEYS = {"oerpack": True, "event": True, "items": False, "sections": False}
EVENT_KEYS = {
    "id": True,
    "title": True,
    "subtitle": False,
    "description": False,
    "languages": True,
    "publisher": True,
    "pages": False,
    "license": True,
    "license_owner": False,
    "contacts": False,
}
SECTION_KEYS = {
    "id": True,
    "title": True,
    "date": False,
    "start": False,
    "end": False,
    "timezone": False,
    "organiser": False,
    "description": False,
    "items": False,
}
ITEM_KEYS = {
    "id": True,
    "title": True,
    "kind": True,
    "group": False,
    "description": False,
    "speakers": False,
    "sources": True,
}
SPEAKER_KEYS = {"name": True, "role": False, "organisation": False}
SOURCE_KEYS = {
    "lang": True,
    "label": False,
    "url": False,
    "path": False,
    "sha256": False,
    "size": False,
    "id": False,
    "via": False,
}
#: How a source's url may be fetched besides plain HTTP (see oerpack.fetch.platform).
SOURCE_VIA = ("yt-dlp",)


def _check_id(value: str) -> str | None:
    if not ID_RE.match(value):
        return (
            f"{value!r} is not a valid id (lowercase letters, digits and '-', "
            "starting with a letter or digit, at most 64 characters)"
        )
    if is_reserved(value):
        return f"{value!r} cannot be an id: Windows reserves it as a device name"
    return None


def _check_lang(value: str) -> str | None:
    return None if LANG_RE.match(value) else f"{value!r} is not a language code like 'en' or 'ru'"


def _check_url(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
        return f"{value!r} is not a valid URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"{value!r}: only http and https URLs are allowed"
    if not parts.hostname:
        return f"{value!r} has no host"
    if _URL_SPACE.search(value):
        return f"{value!r} contains a space or control character (write a space as %20)"
    try:
        port = parts.port  # raises for a port that is not a number or above 65535
    except ValueError:
        port = 0
    if port == 0:
        return f"{value!r} has an invalid port (ports are 1-65535)"
    return None


def _check_relpath(value: str) -> str | None:
    if (
        PurePosixPath(value).is_absolute()
        or PureWindowsPath(value).is_absolute()
        or (PureWindowsPath(value).drive)
    ):
        return f"{value!r} must be a path relative to the manifest, not an absolute path"
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        return f"{value!r} must not contain '..'"
    return None


def _check_time(value: str) -> str | None:
    return None if TIME_RE.match(value) else f"{value!r} is not a time like '09:30'"


def _check_timezone(value: str) -> str | None:
    import zoneinfo

    known = zoneinfo.available_timezones()
    if known and value not in known:
        return f"{value!r} is not an IANA time zone like 'Asia/Almaty'"
    return None


def _check_license(value: str) -> str | None:
    return None if len(value) <= 50 else "a licence name is at most 50 characters"


def _outside(path: Path, folder: Path) -> Path | None:
    """Where ``path`` really is (symbolic links followed) when that is not inside
    ``folder``: '..' is refused in the text, but a link can still point anywhere."""
    real = path.resolve()
    return None if real.is_relative_to(folder.resolve()) else real


class _ManifestReader(NodeReader):
    def __init__(self, file: Path, *, allow_outside_paths: bool = False) -> None:
        super().__init__(file)
        self.seen_ids: dict[str, str] = {}
        self.allow_outside_paths = allow_outside_paths

    def unique_id(self, node: Node, where: str) -> str | None:
        value = self.string(node, where, _check_id)
        if value is None:
            return None
        if value in self.seen_ids:
            self.error(node, where, f"id {value!r} is used twice (also at {self.seen_ids[value]})")
            return None
        self.seen_ids[value] = f"line {node.start_mark.line + 1}"
        return value

    def read(self, root: Node) -> Manifest | None:
        top = self.mapping(root, "manifest", TOP_KEYS)
        if top is None:
            return None
        if "oerpack" in top:
            version = self.scalar(top["oerpack"], "oerpack")
            if version != FORMAT_VERSION:
                self.error(
                    top["oerpack"],
                    "oerpack",
                    f"unsupported manifest format {version!r} (this oerpack reads "
                    f"{FORMAT_VERSION})",
                )
        event = self.event(top["event"]) if "event" in top else None
        items = self.items(top.get("items"), "items")
        sections = (
            tuple(
                section
                for index, node in enumerate(self.sequence(top["sections"], "sections"))
                if (section := self.section(node, f"sections[{index}]")) is not None
            )
            if "sections" in top
            else ()
        )
        if event is None or self.errors:
            return None
        return Manifest(path=self.file, event=event, items=items, sections=sections)

    def event(self, node: Node) -> Event | None:
        fields = self.mapping(node, "event", EVENT_KEYS)
        if fields is None:
            return None
        languages: list[str] = []
        for lang_node in (
            self.sequence(fields["languages"], "event.languages") if ("languages" in fields) else []
        ):
            lang = self.string(lang_node, "event.languages", _check_lang)
            if lang is not None and lang not in languages:
                languages.append(lang)
        if "languages" in fields and not languages:
            self.error(fields["languages"], "event.languages", "list at least one language")
        self.languages = tuple(languages) or ("en",)
        event_id = self.optional(fields, "id", "event", self.unique_id)
        title = self.optional(fields, "title", "event", self.text)
        publisher = self.optional(fields, "publisher", "event", self.text)
        license_name = self.optional(
            fields, "license", "event", lambda n, w: self.string(n, w, _check_license)
        )
        pages = (
            tuple(
                url
                for index, url_node in enumerate(self.sequence(fields["pages"], "event.pages"))
                if (url := self.string(url_node, f"event.pages[{index}]", _check_url))
            )
            if "pages" in fields
            else ()
        )
        contacts = (
            tuple(
                value
                for index, value_node in enumerate(
                    self.sequence(fields["contacts"], "event.contacts")
                )
                if (value := self.string(value_node, f"event.contacts[{index}]"))
            )
            if "contacts" in fields
            else ()
        )
        if event_id is None or title is None or publisher is None or license_name is None:
            return None
        return Event(
            id=event_id,
            title=title,
            languages=self.languages,
            publisher=publisher,
            license=NOT_STATED if license_name == NOT_STATED else license_name,
            subtitle=self.optional(fields, "subtitle", "event", self.text),
            description=self.optional(fields, "description", "event", self.text),
            pages=pages,
            contacts=contacts,
            license_owner=self.optional(fields, "license_owner", "event", self.text),
        )

    def items(self, node: Node | None, where: str) -> tuple[Item, ...]:
        if node is None:
            return ()
        return tuple(
            item
            for index, item_node in enumerate(self.sequence(node, where))
            if (item := self.item(item_node, f"{where}[{index}]")) is not None
        )

    def section(self, node: Node, where: str) -> Section | None:
        fields = self.mapping(node, where, SECTION_KEYS)
        if fields is None:
            return None
        section_id = self.optional(fields, "id", where, self.unique_id)
        where = f"section {section_id}" if section_id else where
        title = self.optional(fields, "title", where, self.text)
        when = self.optional(fields, "date", where, self.date)
        items = self.items(fields.get("items"), f"{where}.items")
        if section_id is None or title is None:
            return None
        return Section(
            id=section_id,
            title=title,
            items=items,
            date=when,
            start=self.optional(fields, "start", where, self.time),
            end=self.optional(fields, "end", where, self.time),
            timezone=self.optional(
                fields, "timezone", where, lambda n, w: self.string(n, w, _check_timezone)
            ),
            organiser=self.optional(fields, "organiser", where, self.text),
            description=self.optional(fields, "description", where, self.text),
        )

    def time(self, node: Node, where: str) -> str | None:
        if is_int_scalar(node):
            # YAML 1.1 reads an unquoted 11:00 as a sexagesimal number
            self.error(node, where, f'write the time in quotes: "{node.value}"')
            return None
        return self.string(node, where, _check_time)

    def date(self, node: Node, where: str) -> date | None:
        value = self.scalar(node, where)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(node, where, f"{value!r} is not a date like 2020-09-25")
            return None

    def item(self, node: Node, where: str) -> Item | None:
        fields = self.mapping(node, where, ITEM_KEYS)
        if fields is None:
            return None
        item_id = self.optional(fields, "id", where, self.unique_id)
        where = f"item {item_id}" if item_id else where
        title = self.optional(fields, "title", where, self.text)
        kind = self.optional(
            fields,
            "kind",
            where,
            lambda n, w: self.string(
                n,
                w,
                lambda v: (
                    None if v in ITEM_KINDS else f"{v!r} is not one of: {', '.join(ITEM_KINDS)}"
                ),
            ),
        )
        speakers = (
            tuple(
                speaker
                for index, speaker_node in enumerate(
                    self.sequence(fields["speakers"], f"{where}.speakers")
                )
                if (speaker := self.speaker(speaker_node, f"{where}.speakers[{index}]")) is not None
            )
            if "speakers" in fields
            else ()
        )
        sources = self.sources(fields, where, item_id or "?")
        if item_id is None or title is None or kind is None or not sources:
            return None
        return Item(
            id=item_id,
            title=title,
            kind=cast(ItemKind, kind),  # checked against ITEM_KINDS above
            sources=sources,
            speakers=speakers,
            group=self.optional(fields, "group", where, self.text),
            description=self.optional(fields, "description", where, self.text),
        )

    def speaker(self, node: Node, where: str) -> Speaker | None:
        fields = self.mapping(node, where, SPEAKER_KEYS)
        if fields is None:
            return None
        name = self.optional(fields, "name", where, self.text)
        if name is None:
            return None
        return Speaker(
            name=name,
            role=self.optional(fields, "role", where, self.text),
            organisation=self.optional(fields, "organisation", where, self.text),
        )

    def sources(self, fields: dict[str, Node], where: str, item_id: str) -> tuple[Source, ...]:
        if "sources" not in fields:
            return ()
        nodes = self.sequence(fields["sources"], f"{where}.sources")
        if not nodes and is_sequence(fields["sources"]):
            self.error(fields["sources"], f"{where}.sources", "list at least one source")
        found: list[Source] = []
        seen: set[str] = set()
        for index, node in enumerate(nodes):
            source = self.source(node, f"{where}.sources[{index}]", item_id)
            if source is None:
                continue
            if source.id in seen:
                self.error(
                    node,
                    f"{where}.sources[{index}]",
                    f"two sources are called {source.id!r}",
                    hint="give one of them an 'id:' of its own",
                )
                continue
            seen.add(source.id)
            found.append(source)
        return tuple(found)

    def source(self, node: Node, where: str, item_id: str) -> Source | None:
        fields = self.mapping(node, where, SOURCE_KEYS)
        if fields is None:
            return None
        lang = self.optional(fields, "lang", where, lambda n, w: self.string(n, w, _check_lang))
        if lang is not None and lang not in self.languages:
            self.error(
                fields["lang"],
                f"{where}.lang",
                f"{lang!r} is not one of event.languages ({', '.join(self.languages)})",
            )
            lang = None
        url = self.optional(fields, "url", where, lambda n, w: self.string(n, w, _check_url))
        rel = self.optional(fields, "path", where, lambda n, w: self.string(n, w, _check_relpath))
        if "url" in fields and "path" in fields:
            self.error(node, where, "give either 'url' or 'path', not both")
        path = None
        if rel is not None:
            path = self.file.parent / rel
            if not path.is_file():
                what = "not a regular file" if path.exists() else "file not found"
                self.error(fields["path"], f"{where}.path", f"{what}: {path}")
            elif not self.allow_outside_paths and (outside := _outside(path, self.file.parent)):
                self.error(
                    fields["path"],
                    f"{where}.path",
                    f"{rel!r} leads outside the manifest's folder (to {outside}) through a "
                    "symbolic link",
                    hint="copy the file into the manifest's folder, or pass "
                    "--allow-outside-paths if you trust this manifest",
                )
        sha256 = self.optional(
            fields,
            "sha256",
            where,
            lambda n, w: self.string(
                n, w, lambda v: None if SHA256_RE.match(v) else "must be 64 lowercase hex digits"
            ),
        )
        size = self.optional(fields, "size", where, self.size)
        source_id = self.optional(fields, "id", where, lambda n, w: self.string(n, w, _check_id))
        via = self.optional(
            fields,
            "via",
            where,
            lambda n, w: self.string(
                n,
                w,
                lambda v: None if v in SOURCE_VIA else f"must be one of {', '.join(SOURCE_VIA)}",
            ),
        )
        if via is not None and "url" not in fields:
            self.error(node, where, f"'via: {via}' needs a 'url' (the recording's page)")
        if lang is None:
            return None
        source_id = source_id or lang
        return Source(
            key=f"{item_id}.{source_id}",
            id=source_id,
            lang=lang,
            label=self.optional(fields, "label", where, self.string),
            url=url,
            path=path,
            sha256=sha256,
            size=size,
            line=node.start_mark.line + 1,
            via=via,
        )

    def size(self, node: Node, where: str) -> int | None:
        value = self.scalar(node, where)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(node, where, f"{value!r} is not a size in bytes (a whole number)")
            return None
        return value


def load_manifest(path: Path, *, allow_outside_paths: bool = False) -> Manifest:
    """Read and validate the manifest at ``path``.

    A ``path:`` source must really be inside the manifest's folder (symbolic links
    followed) unless ``allow_outside_paths``. Raises ``ManifestErrors`` listing every
    problem found, each with file and line.
    """
    root = read_yaml(path)
    reader = _ManifestReader(path, allow_outside_paths=allow_outside_paths)
    manifest = reader.read(root)
    if reader.errors or manifest is None:
        errors = reader.errors or [ManifestError("invalid manifest", file=str(path))]
        raise ManifestErrors(errors)
    return manifest
