"""What every command shares: the error handler and exit codes, option groups, Settings."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ..diskspace import free_bytes, is_disk_full
from ..errors import (
    DiskFullError,
    ExitCode,
    ManifestErrors,
    OerpackError,
)
from ..package.target import parse_size
from ..settings import Settings, default_cache_dir

# The pipeline (requests, PyYAML, pypdf, Jinja2, sqlite3, …) is imported inside each command,
# so that `oerpack --version` and `--help` start at once (tests/test_cli_startup.py).

F = TypeVar("F", bound=Callable[..., Any])
#: Errors printed one per line before the rest are summarised (all of them with -v).
MAX_ERRORS_SHOWN = 50


def report_error(error: OerpackError) -> None:
    errors = error.errors if isinstance(error, ManifestErrors) else [error]
    context = click.get_current_context(silent=True)
    verbose = bool(context and context.find_root().params.get("verbose"))
    shown = errors if verbose else errors[:MAX_ERRORS_SHOWN]
    for each in shown:
        prefix = "" if each.exit_code == ExitCode.INTERRUPTED else "Error: "
        click.echo(f"{prefix}{each.message}", err=True)
    if len(shown) < len(errors):
        click.echo(f"Error: … and {len(errors) - len(shown)} more (-v shows all)", err=True)
    if error.hint:
        click.echo(f"Hint: {error.hint}", err=True)
    sys.exit(int(error.exit_code))


def disk_full_error(error: OSError) -> DiskFullError:
    """A full disk the library did not put in context (e.g. writing the lock file)."""
    folder = Path(error.filename).parent if error.filename else Path.cwd()
    return DiskFullError(path=folder, what="writing", needed=None, free=free_bytes(folder))


def handle_errors(func: F) -> F:
    """Turn library errors and Ctrl-C into messages and exit codes; bugs keep tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OerpackError as error:
            report_error(error)
        except KeyboardInterrupt:
            click.echo("Interrupted; run the same command again to resume.", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        except OSError as error:  # the disk or a path given, not oerpack: no traceback
            logging.getLogger(__name__).debug("file system error", exc_info=True)
            if is_disk_full(error):
                report_error(disk_full_error(error))
            where = f": {error.filename}" if error.filename else ""
            report_error(
                OerpackError(
                    f"{error.strerror or error}{where}",
                    hint="check that the paths given exist, are folders where a "
                    "folder is expected, and can be written (-vv shows details)",
                )
            )

    return cast(F, wrapper)


def parse_mirror_option(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        prefix, sep, target = value.partition("=")
        if not sep or not prefix or not target:
            raise click.BadParameter(f"{value!r} is not FROM=TO")
        pairs.append((prefix, target))
    return tuple(pairs)


def parse_size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except OerpackError as exc:
        raise click.BadParameter(f"{exc.message}; {exc.hint}") from None


ALLOW_OUTSIDE_PATHS = click.option(
    "--allow-outside-paths",
    is_flag=True,
    help="Let path: sources lead outside the manifest's folder through symbolic links "
    "(only for manifests you trust).",
)


def fetch_options(func: F) -> F:
    """Options shared by every command that fetches."""
    options = [
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Where downloads are kept [default: ~/.cache/oerpack].",
        ),
        click.option(
            "--mirror",
            "mirrors",
            multiple=True,
            callback=parse_mirror_option,
            metavar="FROM=TO",
            help="Fetch URLs starting with FROM from TO instead (repeatable).",
        ),
        click.option("--offline", is_flag=True, help="Use only the cache; fetch nothing."),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1, 32),
            default=4,
            show_default=True,
            help="Parallel downloads.",
        ),
        click.option(
            "--per-host",
            type=click.IntRange(1, 32),
            default=4,
            show_default=True,
            help="Connections to one host at a time.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 100),
            default=5,
            show_default=True,
            help="Attempts per file after the first.",
        ),
        click.option(
            "--backoff",
            type=click.FloatRange(0, 600),
            default=1.0,
            show_default=True,
            help="First retry delay in seconds; doubles each "
            "retry (with jitter), at most 60 s; Retry-After is honoured.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(1, 3600),
            default=60.0,
            show_default=True,
            help="Seconds without data before a retry.",
        ),
        click.option(
            "--min-rate",
            callback=parse_size_option,
            default="1000",
            show_default=True,
            metavar="BYTES",
            help="Slowest body accepted, in bytes per second over 30 s (e.g. 1000, 5KB); "
            "slower is retried; 0 turns it off.",
        ),
        ALLOW_OUTSIDE_PATHS,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(
    cache_dir: Path | None,
    mirrors: tuple[tuple[str, str], ...],
    offline: bool,
    jobs: int,
    per_host: int,
    retries: int,
    backoff: float,
    timeout: float,
    min_rate: int,
    allow_outside_paths: bool,
) -> Settings:
    return Settings(
        cache_dir=cache_dir or default_cache_dir(),
        mirrors=mirrors,
        offline=offline,
        jobs=jobs,
        per_host=per_host,
        retries=retries,
        backoff=backoff,
        read_timeout=timeout,
        min_rate=min_rate,
        allow_outside_paths=allow_outside_paths,
    )


MANIFEST = click.argument("manifest", type=click.Path(path_type=Path))
