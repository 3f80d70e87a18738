"""The one exception hierarchy of oerpack, with exit codes and hints."""

from __future__ import annotations

from enum import IntEnum

from .credentials import mask_credentials


class ExitCode(IntEnum):
    """Documented process exit statuses (README: "Exit codes")."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    BAD_MANIFEST = 3
    DOWNLOAD_FAILED = 4
    CHECKSUM_MISMATCH = 5
    DAMAGED_PACKAGE = 6
    DOES_NOT_FIT = 7
    INTERRUPTED = 130


class OerpackError(Exception):
    """Base of every error oerpack reports to a user.

    ``message`` is one line saying what is wrong and where; ``hint`` one line saying
    what to do about it. Neither ever shows the user:password of a URL.
    """

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        message = mask_credentials(message)
        super().__init__(message)
        self.message = message
        self.hint = mask_credentials(hint) if hint is not None else None

    def __str__(self) -> str:
        return self.message


class ManifestError(OerpackError):
    """The manifest (or its lock file) is not valid."""

    exit_code = ExitCode.BAD_MANIFEST

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}", hint=hint)
        self.file = file
        self.line = line
        self.detail = message


class ManifestErrors(ManifestError):
    """Several manifest problems found in one pass; each is kept for reporting."""

    def __init__(self, errors: list[ManifestError]) -> None:
        first = errors[0]
        super().__init__(first.detail, file=first.file, line=first.line, hint=first.hint)
        self.errors = errors


class UnresolvedSourcesError(OerpackError):
    """Sources have no URL or path yet, so nothing can be downloaded."""

    exit_code = ExitCode.BAD_MANIFEST

    def __init__(self, keys: list[str], *, manifest: str, has_pages: bool = True) -> None:
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        first = (
            f"run 'oerpack refresh {manifest}' with internet access to resolve them from "
            "the event page"
            if has_pages
            else f"add the event page under 'event: pages: [...]' in {manifest} and run "
            f"'oerpack refresh {manifest}' with internet access to resolve them"
        )
        super().__init__(
            f"{manifest}: {len(keys)} source(s) have no url or path yet: {shown}",
            hint=f"{first}, or add 'url:' or 'path:' to each source",
        )
        self.keys = keys


class DownloadError(OerpackError):
    """A source could not be downloaded."""

    exit_code = ExitCode.DOWNLOAD_FAILED

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        prefix = f"{key}: " if key else ""
        suffix = f" ({url})" if url else ""
        super().__init__(f"{prefix}{message}{suffix}", hint=hint)
        self.key = key
        self.url = mask_credentials(url) if url is not None else None


class ChecksumError(OerpackError):
    """Bytes did not match the size or checksum that was pinned for them."""

    exit_code = ExitCode.CHECKSUM_MISMATCH

    def __init__(
        self,
        *,
        key: str,
        what: str,
        expected: str,
        actual: str,
        url: str | None = None,
    ) -> None:
        where = f" from {url}" if url else ""
        super().__init__(
            f"{key}: {what} mismatch{where}: expected {expected}, got {actual}",
            hint=(
                "the source changed or the transfer is corrupt; if the new bytes are right, "
                "run 'oerpack refresh --rehash MANIFEST' (the lock pins the old ones) or "
                "update the sha256/size pin in the manifest"
            ),
        )
        self.key = key
        self.what = what
        self.expected = expected
        self.actual = actual


class FetchFailedError(OerpackError):
    """One or more sources failed; the others were fetched."""

    exit_code = ExitCode.DOWNLOAD_FAILED

    def __init__(self, failures: list[OerpackError], *, hint: str | None = None) -> None:
        codes = {f.exit_code for f in failures}
        only_checksums = codes == {ExitCode.CHECKSUM_MISMATCH}
        super().__init__(
            f"{len(failures)} source(s) failed: "
            + "; ".join(str(f) for f in failures[:3])
            + (" …" if len(failures) > 3 else ""),
            hint=hint
            or (
                failures[0].hint
                if len({f.hint for f in failures}) == 1
                else "run the same command again to retry; finished files are kept in the cache"
            ),
        )
        self.failures = failures
        if only_checksums:
            self.exit_code = ExitCode.CHECKSUM_MISMATCH
        elif ExitCode.DOES_NOT_FIT in codes:  # a full disk or FAT32: the rest would fail too
            self.exit_code = ExitCode.DOES_NOT_FIT


class OfflineMissingError(OerpackError):
    """--offline was given but sources are not in the cache."""

    exit_code = ExitCode.DOWNLOAD_FAILED

    def __init__(self, keys: list[str]) -> None:
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        super().__init__(
            f"--offline: {len(keys)} source(s) are not in the cache: {shown}",
            hint="run without --offline where the sources can be reached, or use --cache-dir",
        )
        self.keys = keys


class PackageError(OerpackError):
    """A package could not be written."""


class DamagedPackageError(OerpackError):
    """A package on disk or in a zip does not match its SHA256SUMS."""

    exit_code = ExitCode.DAMAGED_PACKAGE


class IncompletePackageError(DamagedPackageError):
    """A stick whose write was interrupted: files may be missing or half-written."""


class TargetsFailedError(OerpackError):
    """``oerpack write``: some targets failed (the others are good); the exit code is theirs
    when they agree, else 1."""

    def __init__(self, message: str, *, hint: str, exit_code: ExitCode) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


class DoesNotFitError(OerpackError):
    """The package is larger than the target medium."""

    exit_code = ExitCode.DOES_NOT_FIT


class RefreshProblemsError(OerpackError):
    """``oerpack refresh`` found sources that are broken, unresolved or (with --check)
    changed; the exit code says which is worst."""

    def __init__(self, message: str, *, hint: str, exit_code: ExitCode) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


class DiskSpaceError(DoesNotFitError):
    """The downloads or the package would not fit on their file system."""

    def __init__(self, *, path: object, needed: int, free: int, what: str) -> None:
        super().__init__(
            f"not enough disk space at {path} for {what}: need {needed / 1e6:,.0f} MB, "
            f"{free / 1e6:,.0f} MB free",
            hint="free some space, prune the cache ('oerpack cache --prune') or use "
            "--cache-dir/--out on a bigger disk",
        )
        self.needed = needed
        self.free = free


class FetchInterruptedError(OerpackError):
    """The user pressed Ctrl-C; finished files are kept, unfinished ones resume next time.

    ``report`` (a FetchReport) holds what was finished before the interruption."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, report: object, *, fetched: int, cached: int, unfinished: int) -> None:
        super().__init__(
            f"Interrupted: {fetched} fetched, {cached} from cache, {unfinished} unfinished",
            hint="run the same command again; partial downloads resume where they stopped",
        )
        self.report = report


class CacheBusyError(OerpackError):
    """Another oerpack process is using the cache, so it cannot be pruned now."""


class NotFetchedError(OerpackError):
    """A source the plan needs has no verified bytes in the lock yet."""

    def __init__(self, key: str, *, manifest: str) -> None:
        super().__init__(f"{key}: not fetched yet", hint=f"run 'oerpack fetch {manifest}' first")
        self.key = key


class MissingLockFilesError(OerpackError):
    """``cache --prune`` knows lock files that are not where they were registered."""

    def __init__(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        super().__init__(
            f"cannot prune: {len(paths)} registered lock file(s) are missing: {shown}",
            hint="mount the drive or move the manifest back (or pass it with --keep at its "
            "new place); --forget-missing prunes what only they kept",
        )
        self.paths = paths


class DiskFullError(DoesNotFitError):
    """The disk filled up while oerpack was writing (ENOSPC or a quota, EDQUOT)."""

    def __init__(self, *, path: object, what: str, needed: int | None, free: int) -> None:
        amount = (
            f"about {needed:,} bytes needed ({needed / 1e6:,.1f} MB)"
            if needed is not None and needed > 0
            else "more bytes needed than are free"
        )
        super().__init__(
            f"no space left at {path} while {what}: {amount}, {free:,} bytes free",
            hint="free some space ('oerpack cache --prune' also removes partial downloads) "
            "or use --cache-dir/--out on a bigger disk; finished files are kept",
        )
        self.path = path
        self.needed = needed
        self.free = free
