"""The placeholders 'oerpack discover' leaves in a draft manifest ("TODO: …" values): found
here so that ``validate`` warns about them and ``build`` refuses them until they are replaced
(or ``--allow-draft`` is given), and a draft never reaches a viewer or a Kolibri channel
with "TODO" as its author."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import ManifestError
from .models import Item, Manifest, Text

#: How every placeholder value and every note for the maintainer in a draft begins.
TODO = "TODO:"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A manifest value still holding a draft's placeholder: ``where`` names the field."""

    where: str
    value: str


def is_placeholder(value: str) -> bool:
    return value.lstrip().upper().startswith(TODO)


def _text(where: str, text: Text | None) -> Iterator[Placeholder]:
    if text is None:
        return
    for lang, value in text.values:
        if is_placeholder(value):
            yield Placeholder(f"{where} ({lang})" if len(text.values) > 1 else where, value)


def _item(where: str, item: Item) -> Iterator[Placeholder]:
    yield from _text(f"{where}.title", item.title)
    yield from _text(f"{where}.group", item.group)
    yield from _text(f"{where}.description", item.description)
    for n, speaker in enumerate(item.speakers, start=1):
        for name, value in (
            ("name", speaker.name),
            ("role", speaker.role),
            ("organisation", speaker.organisation),
        ):
            yield from _text(f"{where}.speakers[{n}].{name}", value)
    for source in item.sources:
        if source.label and is_placeholder(source.label):
            yield Placeholder(f"{where}.sources.{source.id}.label", source.label)


def find_placeholders(manifest: Manifest) -> tuple[Placeholder, ...]:
    """Every value of ``manifest`` that is still a draft's placeholder, in manifest order."""
    event = manifest.event
    found: list[Placeholder] = []
    for name in ("title", "subtitle", "description", "publisher", "license_owner"):
        found += _text(f"event.{name}", getattr(event, name))
    if is_placeholder(event.license):
        found.append(Placeholder("event.license", event.license))
    for item in manifest.items:
        found += _item(f"items.{item.id}", item)
    for section in manifest.sections:
        where = f"sections.{section.id}"
        for name in ("title", "organiser", "description"):
            found += _text(f"{where}.{name}", getattr(section, name))
        for item in section.items:
            found += _item(f"{where}.items.{item.id}", item)
    return tuple(found)


class DraftManifestError(ManifestError):
    """A manifest still holds placeholders a draft left; a package would show them."""

    def __init__(self, manifest: Manifest, placeholders: tuple[Placeholder, ...]) -> None:
        shown = ", ".join(p.where for p in placeholders[:5])
        more = f" and {len(placeholders) - 5} more" if len(placeholders) > 5 else ""
        super().__init__(
            f"{len(placeholders)} value(s) are still draft placeholders (TODO): {shown}{more}",
            file=str(manifest.path),
            hint="replace each TODO value with the real text ('oerpack validate' lists them), "
            "or build anyway with --allow-draft",
        )
        self.placeholders = placeholders


def refuse_placeholders(manifest: Manifest) -> None:
    """Raise ``DraftManifestError`` if the manifest still holds draft placeholders."""
    placeholders = find_placeholders(manifest)
    if placeholders:
        raise DraftManifestError(manifest, placeholders)
