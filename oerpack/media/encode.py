"""The recordings' encodings: choose a profile per recording (``--video-profile`` or
``--fit``), say the plan before the first encode, encode through a callback, keep a
transcode only when it is clearly smaller than its source, and under ``--fit`` step the
largest recording down until the real sizes fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import DoesNotFitError
from ..models import Blob
from ..package.target import on_fat32
from ..plan import PackageFile, Plan
from ..units import human_size
from . import derive, profiles
from .derive import MediaOptions, Task
from .profiles import LADDER, ProfileName, Recording

#: Runs a transcode (from the cache when it is there) and returns its output.
RunTask = Callable[[Task], Blob]
#: Whether a task's output is in the cache already (costs no encoding time).
IsCached = Callable[[Task], bool]
Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Encoded:
    """What a recording became: ``profile`` names the encoding packaged (``original``
    when none is); ``blob`` is the transcode, None for the original's bytes."""

    key: str
    profile: ProfileName
    size: int
    blob: Blob | None = None
    cached: bool = False
    #: A transcode that was made but not kept (not clearly smaller): (profile, bytes).
    discarded: tuple[str, int] | None = None


@dataclass(frozen=True, slots=True)
class EncodeResult:
    done: Mapping[Task, Blob]
    encoded: tuple[Encoded, ...]
    notes: tuple[str, ...]


class _Encoder:
    def __init__(self, files: Mapping[str, PackageFile], run: RunTask, cached: IsCached) -> None:
        self.files = files
        self.run = run
        self.cached = cached
        self.memo: dict[tuple[str, str], Encoded] = {}

    def encode(self, key: str, profile: ProfileName) -> Encoded:
        """The recording with ``profile``, the original where the transcode is not kept."""
        if (key, profile) not in self.memo:
            source = self.files[key]
            if profile is ProfileName.ORIGINAL:
                found = Encoded(key, ProfileName.ORIGINAL, source.size)
            else:
                task = derive.transcode_task(source, profile)
                was_cached = self.cached(task)
                blob = self.run(task)
                found = (
                    Encoded(key, profile, blob.size, blob, was_cached)
                    if profiles.keeps_transcode(blob.size, source.size)
                    else Encoded(
                        key, ProfileName.ORIGINAL, source.size, cached=was_cached,
                        discarded=(profile, blob.size),
                    )
                )  # fmt: skip
            self.memo[key, profile] = found
        return self.memo[key, profile]


def encode_recordings(
    plan: Plan,
    options: MediaOptions,
    durations: Mapping[str, float],
    *,
    fixed: int,
    run: RunTask,
    cached: IsCached,
    step: Step,
) -> EncodeResult:
    """Encode every recording of ``plan``; ``fixed`` is what the rest of the package takes
    (see derive.fixed_bytes). Raises DoesNotFitError before any encoding when even the
    smallest profile cannot fit, and after encoding when the real sizes at the smallest
    profile do not fit. Every recording's size only goes down as it steps down, so a
    larger ``--fit`` never fails where a smaller one fits."""
    files = {f.key: f for f in plan.files if f.media == "video"}
    if not files:
        return EncodeResult({}, (), ())
    recordings = {key: derive.recording(f, durations) for key, f in files.items()}
    choices = derive.plan_profiles(plan, options, durations, fixed_bytes=fixed)
    level = {c.key: LADDER.index(c.profile) for c in choices}
    encoder = _Encoder(files, run, cached)
    if options.reencodes:  # keeping every original needs no plan and no report
        _say_plan(recordings, {k: LADDER[v] for k, v in level.items()}, files, cached, step)
    best: dict[str, Encoded] = {}
    while True:
        for key in sorted(level):
            found = encoder.encode(key, LADDER[level[key]])
            if key not in best or found.size < best[key].size:
                best[key] = found
        if options.fit is None:
            break
        total = fixed + sum(on_fat32(e.size) for e in best.values())
        budget = int(options.fit * (1 - options.margin))
        if total <= budget:
            break
        movable = [k for k in sorted(level) if level[k] < len(LADDER) - 1]
        if not movable:
            raise DoesNotFitError(
                f"after encoding every recording at its smallest, the package takes "
                f"{_mb(total)} but {_mb(options.fit)} allows {_mb(budget)} after the "
                "safety margin",
                hint="use a larger stick, --no-page-images, or split the event into "
                "several manifests",
            )
        key = max(movable, key=lambda k: (on_fat32(best[k].size), k))
        level[key] += 1
        step(
            f"{_mb(total)} after encoding is more than {_mb(budget)}: "
            f"{key} steps down to {LADDER[level[key]]}"
        )
    encoded = tuple(best[key] for key in sorted(best))
    for each in encoded if options.reencodes else ():
        origin = "from the cache" if each.cached else "encoded" if each.blob else "kept"
        step(f"{each.key}: {each.profile} ({_mb(each.size)}, {origin})")
    done = {
        derive.transcode_task(files[e.key], e.profile): e.blob
        for e in encoded
        if e.blob is not None
    }
    return EncodeResult(done=done, encoded=encoded, notes=_notes(encoded, files))


def _notes(encoded: tuple[Encoded, ...], files: Mapping[str, PackageFile]) -> tuple[str, ...]:
    share = round((1 - profiles.KEEP_BELOW) * 100)
    return tuple(
        f"{e.key}: the {e.discarded[0]} encoding ({_mb(e.discarded[1])}) is not at least "
        f"{share} % smaller than the original ({_mb(files[e.key].size)}): the original is kept"
        for e in encoded
        if e.blob is None and e.discarded is not None
    )


def _say_plan(
    recordings: Mapping[str, Recording],
    chosen: Mapping[str, ProfileName],
    files: Mapping[str, PackageFile],
    cached: IsCached,
    step: Step,
) -> None:
    """The plan, with an estimate of the encoding time, before the first encode."""
    seconds = 0.0
    for key in sorted(chosen):
        profile = chosen[key]
        recording = recordings[key]
        ready = profile is ProfileName.ORIGINAL or cached(
            derive.transcode_task(files[key], profile)
        )
        cost = 0.0 if ready else profiles.encode_seconds(recording, profile)
        seconds += cost
        when = "in the cache" if ready and profile is not ProfileName.ORIGINAL else _minutes(cost)
        step(
            f"plan: {key} ({_minutes(recording.seconds)} long, {_mb(recording.size)}) → "
            f"{profile}, about {_mb(profiles.estimate(recording, profile))}"
            + ("" if profile is ProfileName.ORIGINAL else f", encoding {when}")
        )
    step(f"plan: {len(chosen)} recording(s), about {_minutes(seconds)} of encoding")


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d} min"


def _mb(size: int) -> str:
    return human_size(size)
