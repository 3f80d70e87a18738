"""Typed, immutable records shared by the stages: manifest, lock and results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, get_args

ItemKind = Literal["presentation", "recording", "document"]
ITEM_KINDS: tuple[ItemKind, ...] = get_args(ItemKind)
NOT_STATED = "not-stated"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in one or more languages, as ``(lang, value)`` pairs in manifest order."""

    values: tuple[tuple[str, str], ...]

    def get(self, lang: str, fallbacks: tuple[str, ...] = ()) -> str:
        """The text in ``lang``, else in the first fallback that has it, else the first one."""
        table = dict(self.values)
        for candidate in (lang, *fallbacks):
            if candidate in table:
                return table[candidate]
        return self.values[0][1] if self.values else ""

    def langs(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.values)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)

    def joined(self) -> str:
        """Every language's text, for search indexes."""
        return " ".join(value for _, value in self.values)


@dataclass(frozen=True, slots=True)
class Speaker:
    name: Text
    role: Text | None = None
    organisation: Text | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One file of an item, in one language.

    ``key`` (``item-id.source-id``) names the source everywhere: in the lock file,
    in messages and in the package.
    """

    key: str
    id: str
    lang: str
    label: str | None = None
    url: str | None = None
    path: Path | None = None
    sha256: str | None = None
    size: int | None = None
    line: int | None = field(default=None, compare=False, repr=False)
    via: str | None = None  # "yt-dlp": the url is a platform page, fetched with yt-dlp

    @property
    def resolved(self) -> bool:
        return self.url is not None or self.path is not None


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: Text
    kind: ItemKind
    sources: tuple[Source, ...]
    group: Text | None = None
    description: Text | None = None
    speakers: tuple[Speaker, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: Text
    items: tuple[Item, ...]
    date: date | None = None
    start: str | None = None
    end: str | None = None
    timezone: str | None = None
    organiser: Text | None = None
    description: Text | None = None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: Text
    languages: tuple[str, ...]
    publisher: Text
    license: str
    subtitle: Text | None = None
    description: Text | None = None
    pages: tuple[str, ...] = ()
    license_owner: Text | None = None
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated manifest. ``path`` is where it was read from; local sources are
    resolved against ``path.parent``."""

    path: Path
    event: Event
    items: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()

    def all_items(self) -> tuple[Item, ...]:
        return self.items + tuple(item for section in self.sections for item in section.items)

    def all_sources(self) -> tuple[Source, ...]:
        return tuple(source for item in self.all_items() for source in item.sources)


@dataclass(frozen=True, slots=True)
class LockEntry:
    """What oerpack learned about one source the last time it fetched it."""

    url: str | None = None
    final_url: str | None = None
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    #: Why the source failed at the last refresh (the entry is then the last good copy).
    broken: str | None = None


@dataclass(frozen=True, slots=True)
class Lock:
    """The lock file beside a manifest: per source key, what was fetched."""

    sources: tuple[tuple[str, LockEntry], ...] = ()
    #: The last build's channel version and the content hash it was given for.
    channel_version: int = 0
    content_hash: str | None = None
    #: Every content hash a build gave a version, with that version (oerpack.versions).
    versions: tuple[tuple[str, int], ...] = ()
    #: ``sources`` as a dict, built once: planning asks for every source's entry.
    by_key: dict[str, LockEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", dict(self.sources))

    def get(self, key: str) -> LockEntry | None:
        return self.by_key.get(key)


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """What a PDF says: its page count and its text (whitespace folded, capped)."""

    pages: int
    text: str
    #: Each read page's own text (the viewer's page reader uses it as alt text).
    page_texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Blob:
    """Verified bytes in the content-addressed cache."""

    path: Path
    size: int
    sha256: str
    md5: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    key: str
    blob: Blob
    entry: LockEntry
    from_cache: bool
    local: bool = False  # read from a ``path`` source on this machine, not downloaded

    @property
    def how(self) -> str:
        """One word for progress lines: ``fetched``, ``cached`` or ``read`` (a local file)."""
        return "cached" if self.from_cache else "read" if self.local else "fetched"


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What a fetch run did: the sources it has and the ones that failed, with why."""

    results: tuple[FetchResult, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    errors: tuple[Exception, ...] = ()


#: A fetch's progress events: a source starts, bytes arrive, it is done (or failed).
ProgressKind = Literal["start", "advance", "done"]


@dataclass(frozen=True, slots=True)
class FetchTask:
    """One source to bring into the cache. ``url`` is what is requested (mirrors
    applied); ``source_url`` is what the lock records."""

    key: str
    url: str | None = None
    source_url: str | None = None
    path: Path | None = None
    sha256: str | None = None
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    lang: str | None = None
    via: str | None = None  # "yt-dlp": url is a platform page (see oerpack.fetch.platform)
    #: Download the bytes even if the cache knows what this URL served (refresh --rehash).
    fresh: bool = False

    @property
    def label(self) -> str:
        return f"{self.key} [{self.lang}]" if self.lang else self.key


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event of one source's fetch."""

    kind: ProgressKind
    key: str
    amount: int = 0
    total: int | None = None
    result: FetchResult | None = None
    error: str | None = None


ProgressCallback = Callable[[Progress], None]


class FetchCancelledError(Exception):
    """The run is stopping (Ctrl-C); the partial file stays and resumes next time."""
