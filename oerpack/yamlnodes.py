"""Walk a YAML document's node tree into typed values, collecting every problem with its
line (the only PyYAML user): plain ``yaml.safe_load`` forgets where a value came from."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .errors import ManifestError
from .models import Text

T = TypeVar("T")
Node = yaml.Node
#: Deeper nesting than any manifest needs; PyYAML composes recursively, so without a
#: limit a hostile file ends in RecursionError instead of an error with a line.
MAX_DEPTH = 64
#: C0 controls but tab and newline, DEL and C1: invisible, and NUL/BEL must never reach
#: the HTML or the channel database.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses documents nested deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and newline are kept)."""
    return CONTROL_CHARS.sub("", text)


#: libyaml's parser where PyYAML was built with it (~10x faster on a 10,000-item manifest; it
#: stops at 1,000 levels of nesting by itself), else PyYAML's own, limited to MAX_DEPTH.
_LOADER: Any = getattr(yaml, "CSafeLoader", None) or _DepthLimitedLoader


def read_yaml(path: Path) -> Node:
    """The node tree of the YAML file at ``path``; unreadable or invalid YAML raises
    ``ManifestError`` with the line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(
            "no such file", file=str(path), hint="check the manifest path"
        ) from None
    except IsADirectoryError:
        raise ManifestError(
            "is a folder, not a manifest file",
            file=str(path),
            hint="give the path of the manifest's .yaml file",
        ) from None
    except OSError as exc:
        raise ManifestError(
            f"cannot read: {exc.strerror}", file=str(path), hint="check the file's permissions"
        ) from None
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=str(path),
            hint="save the manifest as UTF-8",
        ) from None
    try:
        root = yaml.compose(raw, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(
            f"invalid YAML: {problem}",
            file=str(path),
            line=line,
            hint="check indentation and quoting near that line",
        ) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"invalid YAML: {exc}", file=str(path)) from None
    except RecursionError:  # a parser without a depth limit
        raise ManifestError(
            "invalid YAML: nested too deeply", file=str(path), hint="no manifest nests this deep"
        ) from None
    if root is None:
        raise ManifestError("the manifest is empty", file=str(path))
    return root


def is_int_scalar(node: Node) -> bool:
    """True for a plain scalar YAML 1.1 reads as a number (``11:00`` is sexagesimal 660)."""
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int")


def is_sequence(node: Node) -> bool:
    return isinstance(node, yaml.SequenceNode)


class NodeReader:
    """Walks the YAML node tree, collecting every error with its line."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.errors: list[ManifestError] = []
        self.languages: tuple[str, ...] = ()
        self._constructor = yaml.SafeLoader("")

    def error(self, node: Node | None, where: str, message: str, hint: str | None = None) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.errors.append(
            ManifestError(f"{where}: {message}", file=str(self.file), line=line, hint=hint)
        )

    def mapping(self, node: Node, where: str, keys: dict[str, bool]) -> dict[str, Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, "expected a mapping (key: value)")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key not in keys:
                allowed = ", ".join(keys)
                self.error(key_node, where, f"unknown key {key!r} (allowed: {allowed})")
            elif key in out:
                self.error(key_node, where, f"duplicate key {key!r}")
            else:
                out[key] = value_node
        for key, required in keys.items():
            if required and key not in out:
                self.error(node, where, f"missing required key {key!r}")
        return out

    def sequence(self, node: Node, where: str) -> list[Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, where, "expected a list")
            return []
        return list(node.value)

    def scalar(self, node: Node, where: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, where, "expected a single value")
            return None
        try:
            return self._constructor.construct_object(node)
        except ValueError:
            # YAML 1.1 reads 2020-09-31 as a date that does not exist: keep the text, so the
            # field's own check says what is wrong with it
            return node.value
        except yaml.YAMLError as exc:  # e.g. an unknown !tag
            problem = getattr(exc, "problem", None) or str(exc)
            self.error(node, where, f"cannot read {node.value!r}: {problem}")
            return None

    def string(
        self,
        node: Node,
        where: str,
        check: Callable[[str], str | None] | None = None,
    ) -> str | None:
        value = self.scalar(node, where)
        if value is None and isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            self.error(node, where, "must not be empty")
            return None
        if isinstance(value, bool | int | float | date):
            value = node.value  # a YAML 1.1 number or date written where text is meant
        if not isinstance(value, str):
            return None
        value = strip_controls(value).strip()
        if not value:
            self.error(node, where, "must not be empty")
            return None
        problem = check(value) if check else None
        if problem:
            self.error(node, where, problem)
            return None
        return value

    def text(self, node: Node, where: str) -> Text | None:
        if isinstance(node, yaml.MappingNode):
            pairs: list[tuple[str, str]] = []
            langs = {lang: False for lang in self.languages}
            for lang, value_node in (self.mapping(node, where, langs) or {}).items():
                value = self.string(value_node, f"{where}.{lang}")
                if value is not None:
                    pairs.append((lang, value))
            return Text(tuple(pairs)) if pairs else None
        value = self.string(node, where)
        if value is None:
            return None
        return Text(((self.languages[0] if self.languages else "und", value),))

    def optional(
        self, fields: dict[str, Node], key: str, where: str, read: Callable[[Node, str], T]
    ) -> T | None:
        node = fields.get(key)
        return None if node is None else read(node, f"{where}.{key}")
