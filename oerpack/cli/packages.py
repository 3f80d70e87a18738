"""Commands about packages: build, verify, write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import (
    DamagedPackageError,
)
from ..media.profiles import PROFILE_NAMES, ProfileName
from ..progress import ProgressPrinter
from ..units import human_size
from .app import main
from .common import (
    MANIFEST,
    fetch_options,
    handle_errors,
    parse_size_option,
    settings_from,
)

# The pipeline (requests, PyYAML, pypdf, Jinja2, sqlite3, …) is imported inside each command,
# so that `oerpack --version` and `--help` start at once (tests/test_cli_startup.py).


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
    callback=parse_size_option,
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
    callback=parse_size_option,
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
    from ..build import build_package
    from ..media.derive import MediaOptions

    quiet = ctx.obj["quiet"]
    printer = ProgressPrinter(quiet=quiet)
    try:
        outcome = build_package(
            manifest,
            out_dir,
            settings_from(**options),
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
    from ..package.outdir import stale_zip_beside
    from ..package.verify import verify_package
    from ..zim.verify import is_zim, verify_zim

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
    from ..stick.printer import StickPrinter
    from ..stick.report import save_report, table
    from ..stick.write import failures, load_image, write_all

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
