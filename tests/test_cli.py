"""The command line: help for every command, exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from oerpack import __version__
from oerpack.cli import main
from oerpack.errors import ExitCode
from tests.conftest import REPO

COMMANDS = sorted(main.commands)


def test_every_command_has_help() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        command = main.commands[name]
        assert command.help and command.help.strip(), name
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{name} {param.opts} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_validate_ok_reports_counts() -> None:
    result = CliRunner().invoke(main, ["validate", str(REPO / "manifests" / "vcasie-2020.yaml")])
    assert result.exit_code == 0, result.output
    assert "3 sections" in result.output and "34 sources (34 unresolved)" in result.output


def test_validate_bad_manifest_exit_code_and_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "oerpack: 1\nevent:\n  id: Bad Id\n  title: T\n  languages: [en]\n"
        "  publisher: P\n  license: not-stated\n  colour: red\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == ExitCode.BAD_MANIFEST
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 2
    assert all(f"{path}:" in line for line in errors)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate"], ExitCode.USAGE),
        (["nonsense"], ExitCode.USAGE),
        (["build", "m.yaml", "--mirror", "no-equals-sign"], ExitCode.USAGE),
        (["build", "m.yaml", "--jobs", "0"], ExitCode.USAGE),
        (["validate", "missing.yaml"], ExitCode.BAD_MANIFEST),
    ],
)
def test_usage_and_input_errors(args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output


def test_verify_reports_a_damaged_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "SHA256SUMS").write_text("0" * 64 + "  a.txt\n")
    result = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert result.exit_code == ExitCode.DAMAGED_PACKAGE
    assert "corrupt: a.txt" in result.output


def test_exit_codes_are_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
