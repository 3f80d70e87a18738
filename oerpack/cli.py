"""The ``oerpack`` command: parse options, call the library, map errors to exit codes."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from . import __version__
from .diskspace import free_bytes, is_disk_full
from .drafts import find_placeholders
from .errors import (
    DamagedPackageError,
    DiskFullError,
    ExitCode,
    FetchInterruptedError,
    ManifestError,
    ManifestErrors,
    OerpackError,
)
from .media.profiles import PROFILE_NAMES, ProfileName
from .package.target import parse_size
from .progress import ProgressPrinter
from .settings import Settings, default_cache_dir
from .units import human_size

# The pipeline (requests, PyYAML, pypdf, Jinja2, sqlite3, …) is imported inside each command,
# so that `oerpack --version` and `--help` start at once (tests/test_cli_startup.py).

F = TypeVar("F", bound=Callable[..., Any])
#: Errors printed one per line before the rest are summarised (all of them with -v).
MAX_ERRORS_SHOWN = 50


def _fail(error: OerpackError) -> None:
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


def _disk_full(error: OSError) -> DiskFullError:
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
            _fail(error)
        except KeyboardInterrupt:
            click.echo("Interrupted; run the same command again to resume.", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        except OSError as error:  # the disk or a path given, not oerpack: no traceback
            logging.getLogger(__name__).debug("file system error", exc_info=True)
            if is_disk_full(error):
                _fail(_disk_full(error))
            where = f": {error.filename}" if error.filename else ""
            _fail(
                OerpackError(
                    f"{error.strerror or error}{where}",
                    hint="check that the paths given exist, are folders where a "
                    "folder is expected, and can be written (-vv shows details)",
                )
            )

    return cast(F, wrapper)


def _parse_mirror(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        prefix, sep, target = value.partition("=")
        if not sep or not prefix or not target:
            raise click.BadParameter(f"{value!r} is not FROM=TO")
        pairs.append((prefix, target))
    return tuple(pairs)


def _parse_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
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
            callback=_parse_mirror,
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
            callback=_parse_size,
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


def _settings(
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oerpack")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Package open educational resources for schools without internet."""
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"quiet": quiet}


MANIFEST = click.argument("manifest", type=click.Path(path_type=Path))


@main.command()
@MANIFEST
@ALLOW_OUTSIDE_PATHS
@handle_errors
def validate(manifest: Path, allow_outside_paths: bool) -> None:
    """Check a manifest; print every problem with file and line."""
    from .manifest import load_manifest

    loaded = load_manifest(manifest, allow_outside_paths=allow_outside_paths)
    sources = loaded.all_sources()
    unresolved = sum(1 for s in sources if not s.resolved)
    click.echo(
        f"{manifest}: OK: {len(loaded.sections)} sections, {len(loaded.all_items())} "
        f"items, {len(sources)} sources ({unresolved} unresolved)"
    )
    for placeholder in find_placeholders(loaded):
        click.echo(
            f"Warning: {manifest}: {placeholder.where}: draft placeholder "
            f"{placeholder.value!r} (build refuses it without --allow-draft)",
            err=True,
        )


@main.command()
@MANIFEST
@fetch_options
@click.pass_context
@handle_errors
def fetch(ctx: click.Context, /, manifest: Path, **options: Any) -> None:
    """Download every source into the cache and update the lock file.

    Interrupted or failed downloads resume on the next run; Ctrl-C exits with 130."""
    from .build import fetch_manifest

    printer = ProgressPrinter(quiet=ctx.obj["quiet"])
    try:
        fetch_manifest(manifest, _settings(**options), progress=printer)
    except FetchInterruptedError:
        printer.close()  # the error's message is the summary line
        raise
    except ManifestError:
        printer.close()  # nothing was fetched: a summary of zeros would only be noise
        raise
    except OerpackError:
        printer.close()
        click.echo(printer.summary(), err=True)
        raise
    printer.close()
    if not ctx.obj["quiet"]:
        click.echo(printer.summary(), err=True)


@main.command("cache")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The cache to show [default: ~/.cache/oerpack].",
)
@click.option("--prune", is_flag=True, help="Remove files no known lock file references.")
@click.option(
    "--keep",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="MANIFEST",
    help="With --prune: also keep what this manifest's lock pins (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="With --prune: only say what would be removed.")
@click.option(
    "--forget-missing",
    is_flag=True,
    help="With --prune: forget registered lock files that are missing and prune what "
    "only they kept (without it, a missing lock file stops the prune).",
)
@handle_errors
def cache_command(
    cache_dir: Path | None,
    prune: bool,
    keep: tuple[Path, ...],
    dry_run: bool,
    forget_missing: bool,
) -> None:
    """Show the download cache's size; --prune removes what no lock file references.

    Every fetch and build registers its manifest's lock file in the cache, so pruning keeps
    the downloads and derived media (transcodes, page images …) of every manifest built
    with this cache. A registered lock file that is missing (the manifest moved, or its
    drive is not mounted) stops the prune until it is back or --forget-missing is given.
    Partial downloads that no process is writing are removed too."""
    from .cache import Cache
    from .lock import lock_path

    cache = Cache(cache_dir or default_cache_dir())
    if prune:
        done = cache.prune(
            tuple(lock_path(m) for m in keep), dry_run=dry_run, forget_missing=forget_missing
        )
        verb = "Would prune" if done.dry_run else "Pruned"
        click.echo(
            f"{verb} {done.removed} file(s), {human_size(done.removed_bytes)}, and "
            f"{done.derived_removed} derived item(s), {human_size(done.derived_bytes)}; kept "
            f"{done.kept} file(s) referenced by {len(done.lock_files)} lock file(s)"
        )
        for path in done.forgotten:
            click.echo(f"{'Would forget' if done.dry_run else 'Forgot'} missing lock file {path}")
        if done.partials_removed:
            click.echo(
                f"{'Would remove' if done.dry_run else 'Removed'} {done.partials_removed} "
                f"partial download(s), {human_size(done.partial_bytes_removed)} (no process "
                "was writing them)"
            )
    usage = cache.usage()
    missing = f" ({len(usage.missing_locks)} missing)" if usage.missing_locks else ""
    click.echo(
        f"{cache.root}: {usage.blobs} file(s), {human_size(usage.blob_bytes)}; "
        f"derived media {usage.derived} item(s), {human_size(usage.derived_bytes)}; "
        f"{usage.partials} partial download(s), {human_size(usage.partial_bytes)}; "
        f"{len(usage.lock_files)} lock file(s) known{missing}"
    )
    for path in usage.missing_locks:
        click.echo(f"missing lock file: {path}")


@main.command()
@MANIFEST
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output folder.",
)
@click.option("--no-zip", is_flag=True, help="Write the folder only.")
@click.option(
    "--zim", "make_zim", is_flag=True, help="Also write OUT/<id>.zim for Kiwix (see README)."
)
@click.option(
    "--video-profile",
    type=click.Choice(PROFILE_NAMES),
    default=ProfileName.ORIGINAL.value,
    show_default=True,
    help="Re-encode recordings: standard (720p) or lite (480p, "
    "~200 MB/hour); cached, so rebuilds do not re-encode.",
)
@click.option(
    "--fit",
    "fit",
    callback=_parse_size,
    default=None,
    metavar="SIZE",
    help="Choose each recording's profile so the package fits SIZE (e.g. 4GB).",
)
@click.option("--no-page-images", is_flag=True, help="Do not render PDF pages for phones.")
@click.option(
    "--no-thumbnails", is_flag=True, help="Do not make video posters and document thumbnails."
)
@click.option(
    "--target-size",
    callback=_parse_size,
    metavar="SIZE",
    default=None,
    help="Labelled size of the stick, e.g. 8GB: report whether the package fits "
    "and fail (exit 7) if it does not.",
)
@click.option(
    "--allow-large-files",
    is_flag=True,
    help="Allow files of 4 GiB or more (they do not fit on FAT32).",
)
@click.option(
    "--allow-draft",
    is_flag=True,
    help="Build even if the manifest still holds a draft's TODO placeholders.",
)
@fetch_options
@click.pass_context
@handle_errors
def build(
    ctx: click.Context,
    /,
    manifest: Path,
    out_dir: Path,
    no_zip: bool,
    make_zim: bool,
    video_profile: str,
    fit: int | None,
    no_page_images: bool,
    no_thumbnails: bool,
    target_size: int | None,
    allow_large_files: bool,
    allow_draft: bool,
    **options: Any,
) -> None:
    """Fetch, verify and bundle the package: OUT/<id>/ and OUT/<id>.zip."""
    from .build import build_package
    from .media.derive import MediaOptions

    quiet = ctx.obj["quiet"]
    printer = ProgressPrinter(quiet=quiet)
    try:
        outcome = build_package(
            manifest,
            out_dir,
            _settings(**options),
            progress=printer,
            make_zip=not no_zip,
            make_zim=make_zim,
            target_size=target_size if target_size is not None else fit,
            allow_large_files=allow_large_files,
            allow_draft=allow_draft,
            on_step=None if quiet else (lambda step: click.echo(f"… {step}", err=True)),
            media=MediaOptions(
                video_profile=ProfileName(video_profile),
                fit=fit,
                page_images=not no_page_images,
                thumbnails=not no_thumbnails,
            ),
        )
    finally:
        printer.close()
    package = outcome.package
    if not quiet:
        click.echo(f"{printer.summary()}; channel version {outcome.channel_version}", err=True)
        for note in outcome.notes:
            click.echo(f"Note: {note}", err=True)
    if package.fit is not None:
        click.echo(f"Stick:   {package.fit.describe()}")
    click.echo(f"Package: {package.folder} ({package.files} files)")
    if package.zip_path:
        click.echo(f"Zip:     {package.zip_path} ({human_size(package.zip_path.stat().st_size)})")
    if outcome.zim is not None:
        click.echo(f"ZIM:     {outcome.zim.path} ({human_size(outcome.zim.size)})")
    click.echo(f"Open:    {(package.folder / 'index.html').resolve().as_uri()}")


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@handle_errors
def verify(path: Path) -> None:
    """Check a package folder, a mounted stick, a zip or a ZIM against its SHA256SUMS."""
    from .package.outdir import stale_zip_beside
    from .package.verify import verify_package
    from .zim.verify import is_zim, verify_zim

    zim = path.is_file() and is_zim(path)
    report = verify_zim(path) if zim else verify_package(path)
    for label, names in (
        ("missing", report.missing),
        ("corrupt", report.corrupt),
        ("unexpected", report.unexpected),
        ("not a regular file", report.special),
    ):
        for name in names:
            click.echo(f"{label}: {name}")
    if not report.ok:
        special = f", {len(report.special)} not regular" if report.special else ""
        raise DamagedPackageError(
            f"{path}: {len(report.missing)} missing, {len(report.corrupt)} corrupt, "
            f"{len(report.unexpected)} unexpected file(s){special}",
            hint="copy the package again from a good copy",
        )
    click.echo(f"{path}: OK, {report.checked} {'entries' if zim else 'files'} match SHA256SUMS")
    if path.is_dir() and (stale := stale_zip_beside(path)) is not None:
        click.echo(
            f"Note: {stale} holds another build than this folder (an interrupted build?); "
            "build again to write it anew",
            err=True,
        )


@main.command("write")
@click.argument("package", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-p",
    "--package",
    "only",
    multiple=True,
    metavar="ID",
    help="Of a folder of packages, write only this one (repeat for several).",
)
@click.option("--force", is_flag=True, help="Write to a folder that holds other files (deleted).")
@click.option(
    "--watch",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also write every stick mounted below this folder while the command runs.",
)
@click.option(
    "--watch-minutes",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="How long --watch waits for sticks.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the batch report: NAME.csv, NAME.json, or both for another name.",
)
@click.pass_context
@handle_errors
def write(
    ctx: click.Context,
    /,
    package: Path,
    targets: tuple[Path, ...],
    only: tuple[str, ...],
    force: bool,
    watch: Path | None,
    watch_minutes: float,
    report_path: Path | None,
) -> None:
    """Copy PACKAGE (dist/<id>, or dist/ for several) to every TARGET at once, read each
    back against SHA256SUMS; resumes and updates sticks written before."""
    from .stick.printer import StickPrinter
    from .stick.report import save_report, table
    from .stick.write import failures, load_image, write_all

    if not targets and watch is None:
        raise click.UsageError("give at least one TARGET folder, or --watch FOLDER")
    image = load_image(package, only)
    printer = StickPrinter(quiet=ctx.obj["quiet"])
    try:
        results = write_all(
            image,
            targets,
            force=force,
            on_event=printer,
            watch=watch,
            watch_seconds=watch_minutes * 60,
        )
    finally:
        printer.close()
    for line in table(results):
        click.echo(line)
    if report_path is not None:
        for saved in save_report(results, report_path):
            click.echo(f"Report: {saved}")
    problem = failures(results)
    if problem is not None:
        raise problem


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
    from .refresh import refresh_manifest, report_lines, report_problem

    printer = ProgressPrinter(quiet=ctx.obj["quiet"])
    try:
        report = refresh_manifest(
            manifest, _settings(**options), check=check, rehash=rehash, progress=printer
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
    from .eventpage.discover import discover as draft

    click.echo(draft(url, Settings(cache_dir=default_cache_dir(), retries=retries)), nl=False)


if __name__ == "__main__":
    main()
