"""Write a stick image to many targets at once, each in its own thread: plan, delete, copy,
read every byte back, repair once, then the final records. One failing target never stops
the others; ``watch`` adds targets as they appear under a folder."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import (
    DamagedPackageError,
    ExitCode,
    OerpackError,
    PackageError,
    TargetsFailedError,
)
from ..layout import RECORD_NAME, STICK_JOURNAL, STICK_MARKER, STICK_RECORD, SUMS_NAME
from ..package.checksums import parse_sums
from ..package.verify import IGNORED
from ..units import human_size
from .copy import copy_entry, delete_files, gone, inside, sync_folder, write_bytes
from .home import render_home_page
from .image import (
    Entry,
    StickImage,
    find_packages,
    multi_image,
    read_package,
    single_image,
)
from .journal import Journal, read_journal
from .plan import TargetPlan, Want, plan_target
from .readback import read_back
from .report import TargetResult
from .space import TargetInfo, check_fits, check_image_names, inspect_target

#: Folders a file system keeps at a stick's root by itself; never touched.
SYSTEM_DIRS = frozenset({"lost+found"})
Phase = Literal["plan", "copy", "verify", "done", "failed"]


@dataclass(frozen=True, slots=True)
class StickEvent:
    """Progress of one target: ``done`` of ``total`` bytes (copy plus read-back)."""

    target: str
    phase: Phase
    done: int = 0
    total: int = 0
    message: str = ""


OnEvent = Callable[[StickEvent], None]


class WriteStoppedError(OerpackError):
    exit_code = ExitCode.INTERRUPTED


@dataclass(slots=True)
class _Run:
    """In-flight state of one target."""

    path: Path
    emit: OnEvent
    stop: threading.Event
    total: int = 0
    done: int = 0
    written: int = 0
    verified: int = 0
    methods: set[str] = field(default_factory=set)
    last: float = 0.0
    device: int = -1
    #: What an interrupted write read back good (its journal), still valid now.
    verified_before: dict[str, str] = field(default_factory=dict)

    def still_there(self) -> None:
        """Refuse to go on when the stick was unmounted: its folder would then be on the
        computer's own disk, and the rest of the package would silently land there."""
        try:
            device = os.stat(self.path).st_dev
        except OSError:
            device = -2
        if device != self.device:
            raise gone(self.path)

    def advance(self, count: int, phase: Phase) -> None:
        if self.stop.is_set():
            raise WriteStoppedError(f"{self.path}: stopped")
        self.done += count
        now = time.monotonic()
        if now - self.last > 0.1:
            self.last = now
            self.emit(StickEvent(str(self.path), phase, self.done, self.total))


def load_image(source: Path, only: Sequence[str] = ()) -> StickImage:
    """The stick image of the package at ``source`` or of the packages in it."""
    packages = [read_package(p) for p in find_packages(source, only)]
    image = (
        single_image(packages[0])
        if len(packages) == 1
        else multi_image(packages, render_home_page(packages))
    )
    check_image_names(image)
    return image


def check_owned(path: Path, image: StickImage, *, force: bool, label: str = "") -> None:
    """Write only to an empty folder, an oerpack stick, or (``force``) any folder."""
    if not path.is_dir():
        raise PackageError(f"{path}: not a folder", hint="mount the stick and give its folder")
    real = path.resolve()
    for package in image.packages:
        folder = package.folder.resolve()
        if real == folder or folder in real.parents or real in folder.parents:
            raise PackageError(f"{path}: overlaps the package {package.folder}")
    names = sorted(n for n in os.listdir(path) if n not in IGNORED | SYSTEM_DIRS | {label})
    owned = any(n in names for n in (STICK_MARKER, STICK_RECORD, RECORD_NAME))
    if names and not owned and not force:
        raise PackageError(
            f"{path}: holds other files ({', '.join(names[:3])}) and no oerpack package",
            hint="give an empty stick or folder, or pass --force to replace what it holds",
        )


def scan(root: Path, *, label: str = "") -> dict[str, int]:
    """Every file on the target by name and size, less what the OS keeps there (fusefat
    shows a FAT volume label as an empty file at the root)."""
    found: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == root:
            dirnames[:] = [d for d in dirnames if d not in IGNORED | SYSTEM_DIRS]
        for name in filenames:
            rel = (here / name).relative_to(root).as_posix()
            ours = rel in (STICK_MARKER, STICK_JOURNAL, label)
            if ours or name.startswith("._") or name in IGNORED:
                continue
            found[rel] = (here / name).stat().st_size
    return found


def _recorded(root: Path) -> dict[str, str]:
    try:
        return parse_sums((root / SUMS_NAME).read_text(encoding="utf-8"), source=str(root))
    except (OSError, ValueError):
        return {}


def _verify_entry(run: _Run, entry: Entry) -> None:
    """Read ``entry`` back from the target; copy it again once when it does not match."""
    for attempt in (1, 2):
        try:
            digest, method = read_back(
                inside(run.path, entry.name), on_bytes=lambda n: run.advance(n, "verify")
            )
            run.methods.add(method)
        except FileNotFoundError:
            digest = ""
        run.verified += entry.size
        if digest == entry.sha256:
            return
        if attempt == 1:
            run.total += 2 * entry.size
            copy_entry(
                entry, run.path, on_bytes=lambda n: run.advance(n, "copy"), device=run.device
            )
            run.written += entry.size
    raise DamagedPackageError(
        f"{run.path}: {entry.name} reads back different from what was written, twice",
        hint="this stick is faulty: replace it",
    )


def _execute(run: _Run, image: StickImage, plan: TargetPlan) -> None:
    """Marker first; then file by file: copy if needed, read back, note it in the journal;
    the final records last; the journal and then the marker removed."""
    run.device = os.stat(run.path).st_dev
    write_bytes(run.path, STICK_MARKER, " ".join(p.id for p in image.packages).encode() + b"\n")
    delete_files(run.path, plan.delete)
    copies, done = set(plan.copy), set(plan.done)
    journal = Journal(run.path, carried=run.verified_before)
    try:
        for entry in image.all:
            if entry.name in done:
                continue
            run.still_there()
            if entry.name in copies:
                copy_entry(
                    entry, run.path, on_bytes=lambda n: run.advance(n, "copy"), device=run.device
                )
                run.written += entry.size
            _verify_entry(run, entry)
            journal.record(entry.name, entry.sha256)
    finally:
        journal.close()
    journal.remove()
    (run.path / STICK_MARKER).unlink()
    sync_folder(run.path)


def write_target(
    image: StickImage,
    path: Path,
    *,
    force: bool = False,
    on_event: OnEvent | None = None,
    stop: threading.Event | None = None,
) -> TargetResult:
    """Write ``image`` to the folder ``path``; never raises for the target's own problems:
    they are in the result."""
    started = time.monotonic()
    emit = on_event or (lambda event: None)
    run = _Run(path=path, emit=emit, stop=stop or threading.Event())
    info: TargetInfo | None = None
    plan: TargetPlan | None = None
    error, code = "", 0
    try:
        info = inspect_target(path)
        fuse_label = info.fstype == "fuse.fusefat" and info.label != path.name
        label = info.label if fuse_label else ""
        check_owned(path, image, force=force, label=label)
        wanted = {e.name: Want(e.size, e.sha256) for e in image.all}
        present = scan(path, label=label)
        plan = plan_target(
            wanted, present, _recorded(path), verified=read_journal(path), cluster=info.cluster
        )
        run.verified_before = {n: wanted[n].sha256 for n in plan.done}
        check_fits(info, (e.size for e in image.all), plan.space_needed)
        run.total = plan.write_bytes + plan.check_bytes
        resumed = f" ({len(plan.done)} files verified before)" if plan.done else ""
        what = (
            f"{human_size(plan.write_bytes)} to copy, {human_size(plan.check_bytes)} to read "
            f"back{resumed}; {info.describe_free()}"
        )
        emit(StickEvent(str(path), "plan", 0, run.total, what))
        _execute(run, image, plan)
    except OerpackError as exc:
        error = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        code = int(exc.exit_code)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        error, code = f"{exc.strerror or exc}{where}", int(ExitCode.FAILURE)
    result = _result(run, image, info, plan, error, code, time.monotonic() - started)
    emit(StickEvent(str(path), "failed" if error else "done", run.done, run.total, error))
    return result


def _result(
    run: _Run,
    image: StickImage,
    info: TargetInfo | None,
    plan: TargetPlan | None,
    error: str,
    code: int,
    seconds: float,
) -> TargetResult:
    return TargetResult(
        target=str(run.path),
        label=info.label if info else run.path.name,
        uuid=info.uuid if info else "",
        fstype=info.fstype if info else "",
        capacity=info.capacity if info else None,
        packages=tuple(p.id for p in image.packages),
        bytes_written=run.written,
        full_bytes=plan.full_bytes if plan else image.size,
        files_written=len(plan.copy) if plan else 0,
        files_kept=len(plan.keep) if plan else 0,
        files_deleted=len(plan.delete) if plan else 0,
        files_resumed=len(plan.done) if plan else 0,
        bytes_verified=run.verified,
        verified=not error,
        readback="+".join(sorted(run.methods)),
        free_space=info.describe_free() if info else "",
        seconds=seconds,
        error=error,
        exit_code=code,
    )


def write_all(
    image: StickImage,
    targets: Sequence[Path],
    *,
    force: bool = False,
    on_event: OnEvent | None = None,
    stop: threading.Event | None = None,
    watch: Path | None = None,
    watch_seconds: float = 3600.0,
    poll: float = 1.0,
    mounts_only: bool = True,
) -> list[TargetResult]:
    """Write every target at once (a thread each); with ``watch``, also every stick mounted
    below it within ``watch_seconds`` (``mounts_only=False``: every folder appearing there).
    Results in the order targets were started."""
    stop = stop or threading.Event()
    results: dict[Path, TargetResult] = {}
    threads: list[threading.Thread] = []

    def start(path: Path) -> None:
        def work() -> None:
            results[path] = write_target(image, path, force=force, on_event=on_event, stop=stop)

        thread = threading.Thread(target=work, name=f"oerpack-write-{path.name}", daemon=True)
        threads.append(thread)
        thread.start()

    # One thread per stick, however many ways it was named.
    order = list({path.resolve(): path for path in reversed(targets)}.values())[::-1]
    try:
        for path in order:
            start(path)
        if watch is not None:
            _watch(watch, watch_seconds, poll, stop, order, start, mounts_only=mounts_only)
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join()
        unfinished = sum(1 for r in results.values() if not r.verified)
        raise WriteStoppedError(
            f"Interrupted: {unfinished} target(s) left incomplete",
            hint="run the same command again: each target resumes where it stopped",
        ) from None
    return [results[p] for p in order if p in results]


def _watch(
    folder: Path,
    seconds: float,
    poll: float,
    stop: threading.Event,
    order: list[Path],
    start: Callable[[Path], None],
    *,
    mounts_only: bool,
) -> None:
    """Start a target for every stick mounted below ``folder``. A folder that is not (yet) a
    mount point is left alone: a desktop makes the folder before it mounts the stick there,
    and writing into it then would fill the computer's own disk."""
    seen = {p for p in folder.iterdir() if p.is_dir() and (os.path.ismount(p) or not mounts_only)}
    seen |= set(order)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        with contextlib.suppress(OSError):
            for path in sorted(p for p in folder.iterdir() if p.is_dir() and p not in seen):
                if mounts_only and not os.path.ismount(path):
                    continue
                seen.add(path)
                order.append(path)
                start(path)
        stop.wait(poll)


def failures(results: Sequence[TargetResult]) -> TargetsFailedError | None:
    """The error to exit with when any target is not good."""
    failed = [r for r in results if not r.verified]
    if not failed:
        return None
    codes = {r.exit_code for r in failed}
    return TargetsFailedError(
        f"{len(failed)} of {len(results)} target(s) failed: "
        + "; ".join(r.problem() for r in failed[:3]),
        hint="the others are good; fix or replace the failed stick(s) and run the same "
        "command again (finished files are kept)",
        exit_code=ExitCode(codes.pop()) if len(codes) == 1 else ExitCode.FAILURE,
    )
