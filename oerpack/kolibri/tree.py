"""Pure: a plan becomes a Kolibri channel tree with stable ids and nested-set numbering.

Layout: the root topic (the event), one topic for the event's own documents, one topic per
section, and under those one content node per file Kolibri can render (a source, or the PDF
converted from an office document), with the thumbnail and subtitles the build made for it
as supplementary files. Ids follow
Ricecooker's convention (content id from the source, node id from the parent's node id and the
content id), so a rebuilt package keeps every node id and learners keep their progress.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from .. import ids
from ..models import Event, Item, Text
from ..plan import DerivedFile, PackageFile, Plan
from .schema import (
    EXTS_BY_PRESET,
    KIND_BY_EXT,
    LANGUAGE_NAMES,
    LEARNING_ACTIVITY,
    LICENSES,
    PRESET_BY_EXT,
    RTL_LANGUAGES,
    SPECIAL_PERMISSIONS,
    SUPPLEMENTARY_PRESETS,
    TOPIC,
)

TITLE_MAX = 200
NAME_MAX = 200
DESCRIPTION_MAX = 400
#: The topic of the event's own items (not in a section), named for what they are.
EVENT_TOPIC_TITLES = {
    "documents": {"en": "Documents", "ru": "Документы"},
    "recordings": {"en": "Recordings", "ru": "Записи"},
    "materials": {"en": "Materials", "ru": "Материалы"},
}


def event_topic_title(items: tuple[Item, ...], order: tuple[str, ...]) -> str:
    """ "Documents" for documents and presentations, "Recordings" when every item is a
    recording, "Materials" for a mix; in the event's languages."""
    recordings = [item.kind == "recording" for item in items]
    name = "recordings" if all(recordings) else "materials" if any(recordings) else "documents"
    titles = EVENT_TOPIC_TITLES[name]
    return " / ".join(dict.fromkeys(titles.get(lang, titles["en"]) for lang in order))


NO_LICENSE = "The publisher states no licence for this material."


@dataclass(frozen=True, slots=True)
class Node:
    """One row of ``content_contentnode``."""

    id: str
    content_id: str
    parent_id: str | None
    kind: str
    title: str
    lang: str | None
    lft: int
    rght: int
    level: int
    sort_order: int
    description: str = ""
    author: str = ""
    license_owner: str = ""
    license_name: str | None = None
    license_description: str | None = None
    learning_activities: str | None = None
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class NodeFile:
    """One ``content_file`` row with its ``content_localfile`` (id = md5 of the bytes).
    The node's main file has priority 1; thumbnails and subtitles are ``supplementary``."""

    id: str
    node_id: str
    preset: str
    lang: str | None
    md5: str
    ext: str
    size: int
    supplementary: bool = False
    thumbnail: bool = False
    priority: int = 1


@dataclass(frozen=True, slots=True)
class Language:
    id: str
    name: str
    direction: str


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    description: str
    author: str
    version: int
    root_id: str
    nodes: tuple[Node, ...]
    files: tuple[NodeFile, ...]
    languages: tuple[Language, ...]
    #: Source keys packaged for the browser viewer only (Kolibri cannot render them, and
    #: they were neither converted to PDF nor attached to a video as subtitles).
    skipped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Draft:
    """A node before numbering: everything but lft/rght/level/parent."""

    content_id: str
    kind: str
    title: str
    lang: str | None
    children: tuple[_Draft, ...] = ()
    file: PackageFile | None = None
    #: The thumbnail and subtitles made for ``file`` that Kolibri can use.
    extras: tuple[DerivedFile, ...] = ()
    description: str = ""
    author: str = ""
    duration: int | None = None


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis when cut)."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def kolibri_renderable(package_file: PackageFile) -> bool:
    return package_file.ext in PRESET_BY_EXT


def license_fields(event: Event) -> tuple[str, str | None]:
    """Kolibri's licence name and description for the event's licence text."""
    text = event.license.strip()
    key = text.lower().removesuffix(" 4.0").removesuffix(" 3.0").removesuffix(" 2.0")
    if key in LICENSES:
        return LICENSES[key], None
    if key in ("not-stated", ""):
        return SPECIAL_PERMISSIONS, NO_LICENSE
    return SPECIAL_PERMISSIONS, text


def _all_langs(value: Text | None, order: tuple[str, ...]) -> str:
    """A topic's text in every language, in the event's language order, without repeats."""
    if value is None:
        return ""
    table = value.as_dict()
    langs = [lang for lang in order if lang in table] + [
        lang for lang in value.langs() if lang not in order
    ]
    shown: list[str] = []
    for lang in langs:
        if table[lang] not in shown:
            shown.append(table[lang])
    return " / ".join(shown)


def supplementary_files(plan: Plan, package_file: PackageFile) -> tuple[DerivedFile, ...]:
    """The first thumbnail and every subtitle made for ``package_file`` whose preset fits
    its kind and whose extension fits the preset (Kolibri checks neither)."""
    kind = KIND_BY_EXT.get(package_file.ext)
    thumbs = plan.derived_of(package_file.key, "thumbnail")[:1]
    subtitles = plan.derived_of(package_file.key, "subtitle")
    return tuple(
        d
        for d in (*thumbs, *subtitles)
        if d.preset is not None
        and kind is not None
        and SUPPLEMENTARY_PRESETS.get(d.preset) == kind
        and d.ext in EXTS_BY_PRESET[d.preset]
        and (d.role != "subtitle" or d.lang)
    )


def _file_draft(
    event: Event,
    item: Item,
    package_file: PackageFile,
    extras: tuple[DerivedFile, ...],
) -> _Draft:
    lang = package_file.lang
    order = (lang, *event.languages)
    title = item.title.get(lang, event.languages)
    if lang not in item.title.langs():
        title += f" ({LANGUAGE_NAMES.get(lang, lang)})"
    authors = ", ".join(s.name.get(lang, order) for s in item.speakers)
    seconds = package_file.duration
    return _Draft(
        content_id=ids.content_id(event.id, package_file.key),
        kind=KIND_BY_EXT[package_file.ext],
        title=clip(title, TITLE_MAX),
        lang=lang,
        file=package_file,
        extras=extras,
        author=clip(authors, TITLE_MAX),
        description=item.description.get(lang, order) if item.description else "",
        duration=round(seconds) if seconds is not None and package_file.ext != "pdf" else None,
    )


def _topic(
    event: Event,
    key: str,
    title: str,
    description: str,
    children: list[_Draft],
    lang: str | None = None,
) -> _Draft:
    return _Draft(
        content_id=ids.content_id(event.id, f"topic:{key}"),
        kind=TOPIC,
        title=clip(title, TITLE_MAX),
        lang=lang,
        children=tuple(children),
        description=description,
    )


def _item_drafts(plan: Plan, items: tuple[Item, ...]) -> list[_Draft]:
    event = plan.manifest.event
    return [
        _file_draft(event, item, f, supplementary_files(plan, f))
        for item in items
        for f in plan.files_of(item)
        if kolibri_renderable(f)
    ]


def _drafts(plan: Plan) -> _Draft:
    manifest = plan.manifest
    event = manifest.event
    order = event.languages
    topics: list[_Draft] = []
    documents = _item_drafts(plan, manifest.items)
    if documents:
        title = event_topic_title(manifest.items, order)
        topics.append(_topic(event, "documents", title, "", documents))  # a stable id
    for section in manifest.sections:
        children = _item_drafts(plan, section.items)
        if children:
            topics.append(
                _topic(
                    event,
                    f"section:{section.id}",
                    _all_langs(section.title, order),
                    _all_langs(section.description, order),
                    children,
                )
            )
    return _topic(
        event,
        "root",
        _all_langs(event.title, order),
        _all_langs(event.description, order),
        topics,
        lang=order[0],
    )


def _number(
    draft: _Draft,
    *,
    node_id: str,
    parent_id: str | None,
    level: int,
    sort_order: int,
    counter: Iterator[int],
    license_: tuple[str, str | None, str],
) -> list[Node]:
    """Depth-first nested-set numbering; the returned list is in ``lft`` order."""
    lft = next(counter)
    below: list[Node] = []
    for position, child in enumerate(draft.children, start=1):
        below += _number(
            child,
            node_id=ids.node_id(node_id, child.content_id),
            parent_id=node_id,
            level=level + 1,
            sort_order=position,
            counter=counter,
            license_=license_,
        )
    rght = next(counter)
    name, description, owner = license_
    content = draft.kind != TOPIC
    node = Node(
        id=node_id,
        content_id=draft.content_id,
        parent_id=parent_id,
        kind=draft.kind,
        title=draft.title,
        lang=draft.lang,
        lft=lft,
        rght=rght,
        level=level,
        sort_order=sort_order,
        description=draft.description,
        author=draft.author,
        license_owner=owner if content else "",
        license_name=name if content else None,
        license_description=description if content else None,
        learning_activities=LEARNING_ACTIVITY.get(draft.kind),
        duration=draft.duration,
    )
    return [node, *below]


def _files(drafts: _Draft, nodes: list[Node]) -> tuple[NodeFile, ...]:
    by_content = {node.content_id: node.id for node in nodes}
    out = []
    stack = [drafts]
    while stack:
        draft = stack.pop()
        stack.extend(draft.children)
        if draft.file is not None:
            node = by_content[draft.content_id]
            f = draft.file
            preset = PRESET_BY_EXT[f.ext]
            out.append(
                NodeFile(
                    id=ids.stable_uuid("file", node, preset).hex,
                    node_id=node,
                    preset=preset,
                    lang=f.lang,
                    md5=f.md5,
                    ext=f.ext,
                    size=f.size,
                )
            )
            out.extend(_supplementary(node, extra) for extra in draft.extras)
    return tuple(sorted(out, key=lambda f: f.id))


def _supplementary(node: str, extra: DerivedFile) -> NodeFile:
    assert extra.preset is not None
    thumbnail = extra.role == "thumbnail"
    return NodeFile(
        id=ids.stable_uuid("file", node, extra.preset, extra.lang or "").hex,
        node_id=node,
        preset=extra.preset,
        lang=None if thumbnail else extra.lang,
        md5=extra.md5,
        ext=extra.ext,
        size=extra.size,
        supplementary=True,
        thumbnail=thumbnail,
        priority=2 if thumbnail else 3,
    )


def viewer_only(plan: Plan) -> tuple[str, ...]:
    """Source keys Kolibri gets nothing of: not renderable, not converted to a renderable
    file, not attached to a video as subtitles."""
    converted = {f.origin for f in plan.files if f.origin and kolibri_renderable(f)}
    attached = plan.attached_subtitles()
    return tuple(
        f.key
        for f in plan.files
        if not kolibri_renderable(f) and f.key not in converted and f.key not in attached
    )


def build_channel(plan: Plan) -> Channel:
    """The channel for ``plan`` (media durations come with its files)."""
    event = plan.manifest.event
    root = _drafts(plan)
    root_id = ids.node_id(plan.channel_id, root.content_id)
    name, description = license_fields(event)
    owner = clip(
        event.license_owner.get(event.languages[0])
        if event.license_owner
        else event.publisher.get(event.languages[0]),
        TITLE_MAX,
    )
    nodes = _number(
        root,
        node_id=root_id,
        parent_id=None,
        level=0,
        sort_order=1,
        counter=itertools.count(1),
        license_=(name, description, owner),
    )
    files = _files(root, nodes)
    langs = sorted({n.lang for n in nodes if n.lang} | {f.lang for f in files if f.lang})
    return Channel(
        id=plan.channel_id,
        name=clip(root.title, NAME_MAX),
        description=clip(
            event.subtitle.get(event.languages[0]) if event.subtitle else "", DESCRIPTION_MAX
        ),
        author=clip(_all_langs(event.publisher, event.languages), DESCRIPTION_MAX),
        version=plan.channel_version,
        root_id=root_id,
        nodes=tuple(nodes),
        files=files,
        languages=tuple(
            Language(
                id=lang,
                name=LANGUAGE_NAMES.get(lang, lang),
                direction="rtl" if lang in RTL_LANGUAGES else "ltr",
            )
            for lang in langs
        ),
        skipped=viewer_only(plan),
    )
