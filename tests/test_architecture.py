"""Each third-party library has one home module; the library never prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "oerpack"
HOMES = {
    "requests": {"fetch/download.py", "fetch/probe.py"},
    "urllib3": {"fetch/download.py"},
    "pypdf": {"pdf.py"},
    "jinja2": {"viewer.py"},
    "click": {"cli.py"},
    "yaml": {"yamlnodes.py"},
    "bs4": {"eventpage/links.py"},
    "sqlite3": {"kolibri/db.py"},
    "pypdfium2": {"media/pages.py"},
    "yt_dlp": {"fetch/platform.py"},
    "libzim": {"zim/zimfile.py"},
    "PIL": {"zim/icon.py"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("library", sorted(HOMES))
def test_library_has_one_home(library: str) -> None:
    users = {p.relative_to(PACKAGE).as_posix() for p in MODULES if library in imports_of(p)}
    assert users <= HOMES[library], users


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if p.name != "cli.py"],
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_library_code_does_not_print_or_exit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else (
                    f"{getattr(func.value, 'id', '')}.{func.attr}"
                    if isinstance(func, ast.Attribute)
                    else ""
                )
            )
            assert name not in {"print", "input", "sys.exit", "exit"} or (
                path.name == "progress.py" and name == "print"
            ), f"{path.name}: {name}"


def test_every_subpackage_is_shipped() -> None:
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    shipped = set(config["options"]["packages"].split())
    found = {
        "oerpack." + p.parent.relative_to(PACKAGE).as_posix().replace("/", ".")
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE
    }
    assert found | {"oerpack", "oerpack.templates"} == shipped
