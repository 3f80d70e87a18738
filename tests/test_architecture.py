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
    "jinja2": {"viewer/render.py"},
    "babel": {"viewer/i18n.py"},
    "snowballstemmer": {"viewer/searchindex.py"},
    "click": {
        f"cli/{name}" for name in ("app.py", "common.py", "sources.py", "packages.py", "pages.py")
    },
    "yaml": {"yamlnodes.py"},
    "bs4": {"eventpage/links.py"},
    "anyascii": {"eventpage/discover.py"},
    "sqlite3": {"kolibri/db.py"},
    "pypdfium2": {"media/pages.py"},
    "yt_dlp": {"fetch/platform.py"},
    "libzim": {"zim/zimfile.py"},
    "PIL": {"zim/icon.py"},
    # POSIX-only or process-level facilities: each behind one module, so a Windows port
    # is a short, known list (README, "Portability").
    "fcntl": {"locking.py"},
    "msvcrt": {"locking.py"},
    "subprocess": {"media/video.py", "media/office.py"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif _is_import_call(node):
            found.add(node.args[0].value.split(".")[0])  # type: ignore[attr-defined]
    return found


def _is_import_call(node: ast.AST) -> bool:
    """``importlib.import_module("x")`` or ``__import__("x")`` with a literal name."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in {"import_module", "__import__"}
    )


def test_dynamic_imports_are_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import importlib\nx = importlib.import_module('yt_dlp.utils')\n", encoding="utf-8"
    )
    assert "yt_dlp" in imports_of(module)


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("library", sorted(HOMES))
def test_library_has_one_home(library: str) -> None:
    users = {p.relative_to(PACKAGE).as_posix() for p in MODULES if library in imports_of(p)}
    assert users <= HOMES[library], users


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if p.parent.name != "cli"],
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


def test_the_stick_wing_reads_finished_packages_only() -> None:
    """``oerpack write`` knows no manifests, plans, downloads or builds: only packages."""
    forbidden = {"manifest", "plan", "fetch", "build", "lock", "cache", "media", "refresh"}
    for path in sorted((PACKAGE / "stick").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                assert node.module.split(".")[0] not in forbidden, (path.name, node.module)
