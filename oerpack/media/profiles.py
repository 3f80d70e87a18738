"""Pure video profile choice: named encoding profiles and fitting a package to a size."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import DoesNotFitError, OerpackError

#: Container overhead on top of the stream bitrates (moov atom, mp4 boxes).
_OVERHEAD = 1.03
#: Part of a stick kept free by ``--fit``: file system tables, cluster slack, rounding.
DEFAULT_MARGIN = 0.07
#: A transcode is kept only when it is smaller than this share of its source: re-encoding
#: an already small recording costs quality and often makes it bigger (issue 16).
KEEP_BELOW = 0.90


@dataclass(frozen=True, slots=True)
class VideoProfile:
    """An ffmpeg encoding recipe. ``version`` is part of the transcode cache key: bump it
    whenever the recipe changes so old transcodes are not reused."""

    name: str
    version: int
    max_height: int
    crf: int
    maxrate_kbps: int
    audio_kbps: int
    #: At most this many audio channels; a mono source stays mono.
    audio_channels: int
    #: Seconds of encoding per second of 720p video on a 2-core machine (measured with
    #: ``benchmarks/bench_video.py``): the plan's time estimate, not a promise.
    encode_factor: float = 0.5

    def max_bytes(self, seconds: float) -> int:
        """An upper bound of the encoded size (the encoder is capped by ``maxrate``)."""
        kbps = self.maxrate_kbps + self.audio_kbps
        return int(seconds * kbps * 1000 / 8 * _OVERHEAD)


#: Best first. ``lite`` follows the low-bandwidth guidance for Kolibri content:
#: H.264 ≤480p, CRF ~32, mono AAC 32-48 kbps, ≤ ~200 MB per hour.
PROFILES: tuple[VideoProfile, ...] = (
    VideoProfile(
        "standard",
        2,  # 2: a mono source stays mono
        max_height=720,
        crf=28,
        maxrate_kbps=1500,
        audio_kbps=96,
        audio_channels=2,
        encode_factor=0.5,
    ),
    VideoProfile(
        "lite",
        1,
        max_height=480,
        crf=32,
        maxrate_kbps=380,
        audio_kbps=40,
        audio_channels=1,
        encode_factor=0.35,
    ),
)


class ProfileName(StrEnum):
    """What ``--video-profile`` (or ``--fit``) chose for a recording: keep the original
    bytes, or one of PROFILES."""

    ORIGINAL = "original"
    STANDARD = "standard"
    LITE = "lite"


PROFILE_NAMES: tuple[str, ...] = tuple(name.value for name in ProfileName)
_BY_NAME = {ProfileName(p.name): p for p in PROFILES}
#: The steps --fit takes, best first.
LADDER: tuple[ProfileName, ...] = tuple(ProfileName)


def profile_name(text: str) -> ProfileName:
    """The profile a user or a cache record names; one clear error for anything else."""
    try:
        return ProfileName(text)
    except ValueError:
        raise OerpackError(
            f"unknown video profile {text!r}", hint=f"use one of: {', '.join(PROFILE_NAMES)}"
        ) from None


def profile_named(name: str) -> VideoProfile | None:
    """The recipe of profile ``name``; None for ``original`` (keep the source's bytes)."""
    return _BY_NAME.get(profile_name(name))


@dataclass(frozen=True, slots=True)
class Recording:
    """A video to fit: its source key, duration in seconds and original size in bytes."""

    key: str
    seconds: float
    size: int


@dataclass(frozen=True, slots=True)
class FitChoice:
    key: str
    profile: ProfileName
    estimated_bytes: int


def keeps_transcode(transcoded: int, original: int) -> bool:
    """Whether a transcode of ``transcoded`` bytes replaces its ``original``: only when it
    is clearly smaller (below KEEP_BELOW of it). The one rule for estimates, ``--fit``
    and the encoded files."""
    return transcoded < original * KEEP_BELOW


def estimate(recording: Recording, profile_name: str) -> int:
    """Bytes a recording takes with a profile: the profile's upper bound, or the
    original's size where a transcode would not be kept (see keeps_transcode)."""
    profile = profile_named(profile_name)
    if profile is None:
        return recording.size
    bound = profile.max_bytes(recording.seconds)
    return bound if keeps_transcode(bound, recording.size) else recording.size


def encode_seconds(recording: Recording, profile_name: str) -> float:
    """Roughly how long encoding ``recording`` with the profile takes (0 for original)."""
    profile = profile_named(profile_name)
    return 0.0 if profile is None else recording.seconds * profile.encode_factor


def choose_profiles(
    recordings: tuple[Recording, ...],
    *,
    other_bytes: int,
    capacity: int,
    margin: float = DEFAULT_MARGIN,
) -> tuple[FitChoice, ...]:
    """The best profile per recording so that everything fits ``capacity`` less ``margin``.

    Starts from ``original`` everywhere and steps down the currently largest recording,
    so quality drops evenly; raises DoesNotFitError when even ``lite`` everywhere is too big.
    """
    budget = int(capacity * (1 - margin))
    level = {r.key: 0 for r in recordings}
    by_key = {r.key: r for r in recordings}

    def size_of(key: str) -> int:
        return estimate(by_key[key], LADDER[level[key]])

    def total() -> int:
        return other_bytes + sum(size_of(key) for key in level)

    while total() > budget:
        movable = [k for k in sorted(level) if level[k] < len(LADDER) - 1]
        if not movable:
            raise _does_not_fit(recordings, other_bytes, total(), budget, capacity)
        level[max(movable, key=lambda k: (size_of(k), k))] += 1
    return tuple(
        FitChoice(key=k, profile=LADDER[level[k]], estimated_bytes=size_of(k))
        for k in sorted(level)
    )


def _does_not_fit(
    recordings: tuple[Recording, ...], other_bytes: int, total: int, budget: int, capacity: int
) -> DoesNotFitError:
    largest = sorted(recordings, key=lambda r: -estimate(r, "lite"))[:3]
    shown = ", ".join(f"{r.key} {_mb(estimate(r, ProfileName.LITE))}" for r in largest)
    return DoesNotFitError(
        f"the package needs at least {_mb(total)} ({_mb(other_bytes)} documents and other "
        f"files, recordings at 'lite': {shown or 'none'}) but {_mb(capacity)} allows "
        f"{_mb(budget)} after the safety margin",
        hint="use a larger stick, or split the event into several manifests",
    )


def _mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB"
