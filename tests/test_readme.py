"""The README's command and option tables say what ``--help`` says, no more and no less."""

from __future__ import annotations

import re

import click
import pytest

from oerpack.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
_FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
_ROW = re.compile(r"^\| `([^`]*)`", re.MULTILINE)


def _commands_section() -> str:
    start = README.index("## Commands")
    return README[start : README.index("\n## ", start + 1)]


def documented() -> dict[str, set[str]]:
    """Per command: the flags the README's tables give it."""
    text = _commands_section()
    found: dict[str, set[str]] = {}
    for match in re.finditer(r"^\| `oerpack ([a-z-]+)([^`]*)`", text, re.MULTILINE):
        found.setdefault(match.group(1), set()).update(_FLAG.findall(match.group(2)))
    headings = list(re.finditer(r"^### Options of (.+)$", text, re.MULTILINE))
    for n, heading in enumerate(headings):
        end = headings[n + 1].start() if n + 1 < len(headings) else len(text)
        names = re.findall(r"`([a-z-]+)`", heading.group(1))
        flags = {f for cell in _ROW.findall(text[heading.end() : end]) for f in _FLAG.findall(cell)}
        for name in names:
            found.setdefault(name, set()).update(flags)
    return found


def helped(command: click.Command) -> set[str]:
    return {
        flag
        for param in command.params
        for flag in (*param.opts, *param.secondary_opts)
        if flag.startswith("-") and flag != "--help"
    }


def test_every_command_is_in_the_commands_table() -> None:
    assert set(documented()) == set(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_options_in_the_readme_match_help(name: str) -> None:
    assert documented().get(name, set()) == helped(main.commands[name])


def test_global_options_are_documented() -> None:
    start = README.index("Every command takes")
    paragraph = README[start : README.index("\n\n", start)]
    assert set(_FLAG.findall(paragraph)) >= helped(main)
