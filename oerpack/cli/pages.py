"""Commands about the event page: refresh, discover."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..progress import ProgressPrinter
from ..settings import Settings, default_cache_dir
from .app import main
from .common import (
    MANIFEST,
    fetch_options,
    handle_errors,
    settings_from,
)

# The pipeline (requests, PyYAML, pypdf, Jinja2, sqlite3, …) is imported inside each command,
# so that `oerpack --version` and `--help` start at once (tests/test_cli_startup.py).


@main.command()
@MANIFEST
@click.option(
    "--check",
    is_flag=True,
    help="Change nothing; exit non-zero if a source is broken, changed or moved.",
)
@click.option(
    "--rehash",
    is_flag=True,
    help="Download every source again and compare its bytes with the lock, even when "
    "the server says it is unchanged; the lock takes the bytes found.",
)
@fetch_options
@click.pass_context
@handle_errors
def refresh(
    ctx: click.Context, /, manifest: Path, check: bool, rehash: bool, **options: Any
) -> None:
    """Check every source against its server and the event page; update the lock."""
    if rehash and check:
        raise click.UsageError("--rehash downloads every source again; it cannot go with --check")
    from ..refresh import refresh_manifest, report_lines, report_problem

    printer = ProgressPrinter(quiet=ctx.obj["quiet"])
    try:
        report = refresh_manifest(
            manifest, settings_from(**options), check=check, rehash=rehash, progress=printer
        )
    finally:
        printer.close()
    for line in report_lines(report):
        click.echo(line)
    problem = report_problem(report, manifest)
    if problem is not None:
        raise problem


def _web_address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address")
    return value


@main.command()
@click.argument("url", callback=_web_address)
@click.option(
    "--retries",
    type=click.IntRange(0, 100),
    default=5,
    show_default=True,
    help="Attempts after the first.",
)
@handle_errors
def discover(url: str, retries: int) -> None:
    """Draft a manifest (YAML on stdout) from an event page at URL, for a person to review."""
    from ..eventpage.discover import discover as draft

    click.echo(draft(url, Settings(cache_dir=default_cache_dir(), retries=retries)), nl=False)
