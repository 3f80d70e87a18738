"""Keep a manifest's lock true: resolve sources from the event page, check each one with a
conditional request, download only what changed, and report what moved, broke or appeared."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, get_args

from .cache import Cache
from .credentials import mask_credentials
from .errors import DownloadError, ExitCode, OerpackError, RefreshProblemsError
from .eventpage.links import parse_page
from .eventpage.model import EventPage, read_event_page
from .eventpage.resolve import Resolution, resolve_sources
from .fetch import (
    ProbeResult,
    Session,
    get_page,
    hash_file,
    new_session,
    probe,
)
from .fetch.parallel import fetch_all
from .lock import lock_path, read_lock
from .manifest import load_manifest
from .models import FetchTask, Lock, LockEntry, Manifest, ProgressCallback, Source
from .platforms import is_platform_recording, source_via
from .settings import Settings
from .versions import write_lock_keeping_versions

log = logging.getLogger(__name__)
CheckStatus = Literal["unchanged", "changed", "moved", "broken", "unresolved"]
STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """One row of the refresh table."""

    key: str
    status: CheckStatus
    url: str | None = None
    detail: str = ""
    stale_pin: bool = False  # new bytes, but the manifest pins the old ones
    #: Where the event page links a ``url:`` source's label now (its url: is out of date).
    follow: str | None = None


@dataclass(frozen=True, slots=True)
class NewLink:
    """A file link on the event page that no source claims."""

    entry: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class RefreshReport:
    manifest: Manifest
    checks: tuple[SourceCheck, ...]
    new_links: tuple[NewLink, ...]
    lock: Lock
    page: str | None = None
    page_errors: tuple[str, ...] = ()
    check_only: bool = False
    from_page: tuple[str, ...] = ()  # keys whose address this run found on the event page
    by_platform: tuple[str, ...] = ()  # of those, recordings' pages fetched with yt-dlp

    def count(self, status: CheckStatus) -> int:
        return sum(1 for check in self.checks if check.status == status)

    def summary(self) -> str:
        counts = [f"{self.count(status)} {status}" for status in STATUSES]
        return ", ".join([*counts, f"{len(self.new_links)} new on the page"])


@dataclass(frozen=True, slots=True)
class _Verdict:
    check: SourceCheck
    entry: LockEntry | None = None
    download: FetchTask | None = None
    #: --rehash: the sha256 the lock pinned, compared with the bytes downloaded again
    rehash_of: str | None = None
    #: Why the source cannot be fetched now; the lock marks its last good copy with it.
    broken: str | None = None


def refresh_manifest(
    manifest_path: Path,
    settings: Settings,
    *,
    check: bool = False,
    rehash: bool = False,
    progress: ProgressCallback | None = None,
) -> RefreshReport:
    """Check every source; unless ``check``, download what changed and rewrite the lock.

    With ``rehash``, every unpinned URL source is downloaded again and its bytes compared
    with the lock, whatever the server's ETag says: the way out of a wrong first download
    that the lock pinned."""
    if rehash and check:
        raise OerpackError(
            "--rehash downloads every source again, so it cannot be combined with --check",
            hint="run 'oerpack refresh --rehash MANIFEST' without --check",
        )
    if settings.offline:
        raise OerpackError(
            "refresh asks the servers what changed, so it cannot run offline",
            hint="run it without --offline where the sources can be reached",
        )
    manifest = load_manifest(manifest_path, allow_outside_paths=settings.allow_outside_paths)
    path = lock_path(manifest_path)
    lock = read_lock(path)
    page, page_url, page_errors = read_pages(manifest.event.pages, settings)
    known = frozenset(u for s in manifest.all_sources() if s.url for u in (s.url,)) | frozenset(
        u for _, e in lock.sources for u in (e.url, e.final_url) if u
    )
    resolution = resolve_sources(manifest, page, known) if page else None
    verdicts = _check_all(manifest, lock, resolution, settings)
    if rehash:
        verdicts = [
            _rehashing(source, v, settings)
            for source, v in zip(manifest.all_sources(), verdicts, strict=True)
        ]
    new_links = tuple(
        NewLink(entry=entry.title, label=link.text, url=link.url)
        for entry, link in (resolution.unclaimed if resolution else ())
    )
    if not check:
        verdicts = _download_changes(verdicts, settings, progress)
        lock = write_lock_keeping_versions(
            path,
            Cache(settings.cache_dir).guard_of(path),
            _updated_lock(manifest, lock, verdicts),
            manifest_id=manifest.event.id,
        )
    from_page = tuple(key for key, _ in resolution.links) if resolution else ()
    return RefreshReport(
        manifest=manifest,
        checks=tuple(v.check for v in verdicts),
        new_links=new_links,
        lock=lock,
        page=page_url,
        page_errors=page_errors,
        check_only=check,
        from_page=from_page,
        by_platform=tuple(k for k, link in resolution.links if is_platform_recording(link.url))
        if resolution
        else (),
    )


def read_pages(
    pages: tuple[str, ...],
    settings: Settings,
) -> tuple[EventPage | None, str | None, tuple[str, ...]]:
    """The first of ``pages`` that answers, read into entries; errors of those that did not."""
    errors: list[str] = []
    for url in pages:
        try:
            fetched = get_page(url, settings)
        except DownloadError as exc:
            errors.append(str(exc))
            continue
        parsed = parse_page(fetched.content, fetched.final_url, encoding=fetched.encoding)
        return read_event_page(parsed), url, tuple(errors)
    return None, None, tuple(errors)


def _check_all(
    manifest: Manifest, lock: Lock, resolution: Resolution | None, settings: Settings
) -> list[_Verdict]:
    session = new_session(settings)
    try:
        return [
            _respect_pins(
                source,
                lock.get(source.key),
                _check_source(source, lock.get(source.key), resolution, settings, session),
            )
            for source in manifest.all_sources()
        ]
    finally:
        session.close()


def _check_source(
    source: Source,
    old: LockEntry | None,
    resolution: Resolution | None,
    settings: Settings,
    session: Session,
) -> _Verdict:
    if source.path is not None:
        return _check_local(source, old)
    url = (
        source.url
        or (resolution.url(source.key) if resolution else None)
        or (old.url if old else None)
    )
    if url is None:
        miss = dict(resolution.misses).get(source.key) if resolution else None
        return _Verdict(
            SourceCheck(
                source.key,
                "unresolved",
                detail=miss or ("no url, and the manifest names no event page (event.pages)"),
            )
        )
    same_url = old is not None and old.url == url
    result = probe(
        settings.rewrite(url),
        settings,
        session=session,
        etag=old.etag if same_url and old else None,
        last_modified=old.last_modified if same_url and old else None,
    )
    moved = resolution.moved_to(source.key) if resolution and source.url else None
    if moved is not None:
        state = "" if result.ok else f"broken ({result.reason}); "
        detail = f"{state}the event page now links {moved.text!r} to {moved.url}"
        return _Verdict(
            SourceCheck(source.key, "moved", url, detail, follow=moved.url),
            broken=None if result.ok else result.reason,
        )
    if not result.ok:
        return _Verdict(SourceCheck(source.key, "broken", url, result.reason), broken=result.reason)
    via = source_via(source.via, source.url, url)
    task = FetchTask(key=source.key, url=settings.rewrite(url), source_url=url, via=via)
    if old is None or old.sha256 is None:
        return _Verdict(
            SourceCheck(source.key, "changed", url, "not in the lock yet"), download=task
        )
    if not same_url:
        return _Verdict(SourceCheck(source.key, "moved", url, f"was {old.url}"), download=task)
    if via is not None:
        # A platform page's headers say nothing of the recording behind it (the lock's final
        # URL is the media's): the page answering at the same address is all a check sees.
        return _Verdict(SourceCheck(source.key, "unchanged", url), entry=old)
    unchanged = _same_content(old, result)
    # the lock keeps final URLs without a --mirror's user:password
    final_url = mask_credentials(result.final_url)
    if final_url != mask_credentials(old.final_url or settings.rewrite(url)):
        detail = f"now at {final_url}" + ("" if unchanged else ", content changed")
        return _Verdict(
            SourceCheck(source.key, "moved", url, detail),
            entry=replace(old, final_url=final_url),
            download=None if unchanged else task,
        )
    if unchanged:
        return _Verdict(SourceCheck(source.key, "unchanged", url), entry=old)
    detail = f"{old.size} → {result.size} bytes" if result.size is not None else "new version"
    return _Verdict(SourceCheck(source.key, "changed", url, detail), download=task)


def _respect_pins(source: Source, old: LockEntry | None, verdict: _Verdict) -> _Verdict:
    """A manifest pin names the only bytes a build accepts: other bytes are reported, not
    taken into the lock, and a download is checked against the pin."""
    if source.sha256 is None and source.size is None:
        return verdict
    new = verdict.entry if source.path is not None else None
    upstream_changed = (
        verdict.download is not None
        and old is not None
        and (old.url == verdict.check.url and old.sha256 is not None)
    )
    if (new is not None and not _holds_pin(source, new)) or (
        upstream_changed and old is not None and _holds_pin(source, old)
    ):
        detail = "; ".join(
            p for p in (verdict.check.detail, "the manifest pins the old bytes") if p
        )
        kept = verdict.entry if new is None else old
        return _Verdict(
            replace(verdict.check, status="changed", detail=detail, stale_pin=True), entry=kept
        )
    if verdict.download is None:
        return verdict
    return replace(
        verdict, download=replace(verdict.download, sha256=source.sha256, size=source.size)
    )


def _rehashing(source: Source, verdict: _Verdict, settings: Settings) -> _Verdict:
    """Download a source again although the server says it is unchanged, unless the
    manifest pins it (then the pin decides which bytes are right)."""
    url = verdict.check.url
    entry = verdict.entry
    if (
        verdict.download is not None
        or entry is None
        or entry.sha256 is None
        or url is None
        or source.path is not None
        or source.sha256 is not None
        or source.size is not None
    ):
        return verdict
    task = FetchTask(
        key=source.key, url=settings.rewrite(url), source_url=url, via=source.via, fresh=True
    )
    return replace(verdict, download=task, rehash_of=entry.sha256)


def _holds_pin(source: Source, entry: LockEntry) -> bool:
    return (source.sha256 is None or entry.sha256 == source.sha256) and (
        source.size is None or entry.size == source.size
    )


def _same_content(old: LockEntry, result: ProbeResult) -> bool:
    if result.not_modified:
        return True
    if old.etag and result.etag:
        return old.etag == result.etag
    return (
        old.last_modified is not None
        and old.last_modified == result.last_modified
        and (result.size is None or result.size == old.size)
    )


def _check_local(source: Source, old: LockEntry | None) -> _Verdict:
    assert source.path is not None
    try:
        sha256, md5, size = hash_file(source.path)
    except OSError as exc:
        detail = f"{source.path}: {exc}"
        return _Verdict(SourceCheck(source.key, "broken", detail=detail), broken=detail)
    entry = LockEntry(size=size, sha256=sha256, md5=md5)
    status: CheckStatus = "unchanged" if old is not None and old.sha256 == sha256 else "changed"
    return _Verdict(SourceCheck(source.key, status, detail=str(source.path)), entry=entry)


def _download_changes(
    verdicts: list[_Verdict], settings: Settings, progress: ProgressCallback | None
) -> list[_Verdict]:
    tasks = tuple(v.download for v in verdicts if v.download is not None)
    if not tasks:
        return verdicts
    report = fetch_all(tasks, settings=settings, progress=progress)
    fetched = {result.key: result.entry for result in report.results}
    failed = dict(report.failures)
    out = []
    for verdict in verdicts:
        key = verdict.check.key
        if key in fetched and verdict.rehash_of is not None:
            verdict = _rehashed(verdict, fetched[key])
        elif key in fetched:
            verdict = replace(verdict, entry=fetched[key])
        elif key in failed:
            verdict = _Verdict(
                replace(verdict.check, status="broken", detail=failed[key]), broken=failed[key]
            )
        out.append(verdict)
    return out


def _rehashed(verdict: _Verdict, entry: LockEntry) -> _Verdict:
    """The verdict once a source's bytes were downloaded again: the lock takes them."""
    old = verdict.rehash_of or ""
    if entry.sha256 == old:
        detail = "; ".join(p for p in (verdict.check.detail, "same bytes (rehashed)") if p)
        return replace(verdict, check=replace(verdict.check, detail=detail), entry=entry)
    detail = f"other bytes than the lock pinned (sha256 {old[:12]}… → {(entry.sha256 or '')[:12]}…)"
    return replace(
        verdict, check=replace(verdict.check, status="changed", detail=detail), entry=entry
    )


def _updated_lock(manifest: Manifest, lock: Lock, verdicts: list[_Verdict]) -> Lock:
    """The lock for the manifest's sources: new entries where known, old ones otherwise.
    The channel version is a build's to give (oerpack.versions)."""
    keys = {source.key for source in manifest.all_sources()}
    entries = {key: entry for key, entry in lock.sources if key in keys}
    for v in verdicts:
        key = v.check.key
        if v.entry is not None:
            entries[key] = replace(v.entry, broken=v.broken)
        elif v.broken and key in entries:  # a build says it packages the last good copy
            entries[key] = replace(entries[key], broken=v.broken)
    return replace(lock, sources=tuple(sorted(entries.items())))


def report_lines(report: RefreshReport) -> list[str]:
    """The refresh table, one line per source and per new link, then a summary."""
    width = max([len(c.key) for c in report.checks] + [6])
    lines = [f"{'STATUS':<11} {'SOURCE':<{width}} DETAIL"]
    for c in report.checks:
        detail = mask_credentials("; ".join(part for part in (c.url, c.detail) if part))
        lines.append(f"{c.status:<11} {c.key:<{width}} {detail}")
    for link in report.new_links:
        lines.append(f"{'new':<11} {'-':<{width}} {link.label!r} under {link.entry!r}: {link.url}")
    lines.extend(f"Warning: {error}" for error in report.page_errors)
    lines.extend(guidance_lines(report))
    lines.append(
        ("Checked (nothing changed on disk): " if report.check_only else "Refreshed: ")
        + report.summary()
    )
    return lines


def report_problem(report: RefreshReport, manifest_path: Path) -> OerpackError | None:
    """The error a refresh ends with, if any: what a scheduled job should fail on."""
    broken, unresolved = report.count("broken"), report.count("unresolved")
    changed = report.count("changed") + report.count("moved")
    name = str(manifest_path)
    if report.manifest.event.pages and report.page is None:
        return RefreshProblemsError(
            "no event page answered: " + "; ".join(report.page_errors),
            hint="check event.pages; a web-archive copy can be listed after the original",
            exit_code=ExitCode.DOWNLOAD_FAILED,
        )
    if broken:
        return RefreshProblemsError(
            f"{broken} source(s) are broken ({report.summary()})",
            hint="fix their url (or the event page); the lock keeps the last good copy",
            exit_code=ExitCode.DOWNLOAD_FAILED,
        )
    if unresolved and not report.manifest.event.pages:
        return RefreshProblemsError(
            f"{unresolved} source(s) have no url and {name} names no event page",
            hint=(
                f"add the event page under 'event:' in {name}, e.g. pages: "
                '["<event page address>", "<its web-archive copy>"], then run '
                f"'oerpack refresh {name}' again (or give each source a 'url:')"
            ),
            exit_code=ExitCode.BAD_MANIFEST,
        )
    if unresolved:
        return RefreshProblemsError(
            f"{unresolved} source(s) were not found on the event page",
            hint="give them a 'label:' as the page shows it, or a 'url:' of their own",
            exit_code=ExitCode.BAD_MANIFEST,
        )
    follow = [c for c in report.checks if c.follow]
    if follow:
        return RefreshProblemsError(
            f"{len(follow)} source(s) moved on the event page, but {name} gives their old "
            "url: " + "; ".join(f"{c.key} is now {c.follow}" for c in follow[:3]),
            hint=f"follow them: put the new address under url: in {name} (or remove url: and "
            "keep label:, so refresh follows the page by itself), then refresh again",
            exit_code=ExitCode.FAILURE,
        )
    stale = [c.key for c in report.checks if c.stale_pin]
    if stale:
        return RefreshProblemsError(
            f"{len(stale)} source(s) changed but {name} pins their old sha256/size: "
            + ", ".join(stale),
            hint=(
                f"remove (or update) their sha256/size in {name} and run 'oerpack refresh "
                f"{name}' again; the lock then pins the new bytes"
            ),
            exit_code=ExitCode.CHECKSUM_MISMATCH,
        )
    if report.check_only and changed:
        return RefreshProblemsError(
            f"{changed} source(s) changed or moved ({report.summary()})",
            hint=f"run 'oerpack refresh {name}' to download them and update the lock",
            exit_code=ExitCode.FAILURE,
        )
    return None


def guidance_lines(report: RefreshReport) -> list[str]:
    """What the run found on the event page, what it did not and why, and what a person has
    to add to the manifest: the first real run against a page must be plain to read."""
    name = str(report.manifest.path)
    wanted = [s.key for s in report.manifest.all_sources() if s.url is None and s.path is None]
    unresolved = [c for c in report.checks if c.status == "unresolved"]
    lines = []
    if report.page and wanted:
        lines.append(
            f"Event page: {report.page}: {len(report.from_page)} of {len(wanted)} source(s) "
            "without a url found there"
        )
    elif report.page:
        lines.append(f"Event page: {report.page}")
    elif report.manifest.event.pages:
        lines.append("Event page: none of event.pages answered (see the warnings above)")
    if report.by_platform:
        lines.append(
            f"Video platform: {len(report.by_platform)} recording(s) link to a platform's page "
            f"and are fetched with yt-dlp (pip install 'oerpack[video-platforms]'): "
            + ", ".join(report.by_platform)
        )
    if unresolved:
        lines.append(f"Not resolved: {len(unresolved)} source(s):")
        lines.extend(f"  {c.key}: {c.detail}" for c in unresolved)
        lines.append(
            f"Add by hand in {name}: a 'url:' for each (a recording's page on a video platform "
            "also 'via: yt-dlp'), or its 'label:' exactly as the page shows the link"
            + (
                "; the 'new' rows above are the page's links no source claims"
                if report.new_links
                else ""
            )
        )
    elif report.new_links:
        lines.append(
            f"New on the page: {len(report.new_links)} link(s) no source claims ('new' rows): "
            f"add them to {name} if they belong in the package"
        )
    return lines
