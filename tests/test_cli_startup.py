"""``oerpack --version`` and ``--help`` start without the pipeline's heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Libraries that cost most of a second to import on a loaded machine; none is needed to
#: print the version or the help.
HEAVY = (
    "requests",
    "urllib3",
    "jinja2",
    "pypdf",
    "pypdfium2",
    "yaml",
    "bs4",
    "PIL",
    "sqlite3",
    "fpdf",
    "oerpack.build",
    "oerpack.fetch",
    "oerpack.manifest",
    "oerpack.package.assemble",
    "oerpack.package.verify",
)

_PROBE = """
import json, sys
from oerpack.cli import main
try:
    main(sys.argv[1:], prog_name="oerpack")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_after(*args: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip(), "the command printed nothing"
    return set(json.loads(run.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("build", "--help"),
        ("fetch", "--help"),
        ("verify", "--help"),
        ("cache", "--help"),
        ("refresh", "--help"),
        ("discover", "--help"),
    ],
)
def test_version_and_help_load_no_heavy_module(args: tuple[str, ...]) -> None:
    modules = loaded_after(*args)
    heavy = sorted(m for m in HEAVY if m in modules)
    assert not heavy, f"'oerpack {' '.join(args)}' imported {heavy}"
