"""Commands about a manifest's sources: validate, fetch, cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..drafts import find_placeholders
from ..errors import (
    FetchInterruptedError,
    ManifestError,
    OerpackError,
)
from ..progress import ProgressPrinter
from ..settings import default_cache_dir
from ..units import human_size
from .app import main
from .common import (
    ALLOW_OUTSIDE_PATHS,
    MANIFEST,
    fetch_options,
    handle_errors,
    settings_from,
)

# The pipeline (requests, PyYAML, pypdf, Jinja2, sqlite3, …) is imported inside each command,
# so that `oerpack --version` and `--help` start at once (tests/test_cli_startup.py).


@main.command()
@MANIFEST
@ALLOW_OUTSIDE_PATHS
@handle_errors
def validate(manifest: Path, allow_outside_paths: bool) -> None:
    """Check a manifest; print every problem with file and line."""
    from ..manifest import load_manifest

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
    from ..build import fetch_manifest

    printer = ProgressPrinter(quiet=ctx.obj["quiet"])
    try:
        fetch_manifest(manifest, settings_from(**options), progress=printer)
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
    from ..cache import Cache
    from ..lock import lock_path

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
