"""Pure tests: sizes, profile estimates and fitting recordings to a stick."""

from __future__ import annotations

import pytest

from oerpack.errors import DoesNotFitError, ExitCode, OerpackError
from oerpack.media.profiles import (
    PROFILES,
    Recording,
    choose_profiles,
    estimate,
    profile_named,
)
from oerpack.package.target import parse_size

HOUR = 3600.0
GB = 10**9
MB = 10**6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4GB", 4 * GB),
        ("4 gb", 4 * GB),
        ("3.5GB", 3_500_000_000),
        ("900MB", 900 * MB),
        ("1GiB", 2**30),
        ("512k", 512_000),
        ("1000", 1000),
    ],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "GB", "4 XB", "-1GB", "four"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(OerpackError, match="not a size"):
        parse_size(text)


def test_lite_stays_under_200_mb_per_hour_and_standard_is_bigger() -> None:
    lite, standard = profile_named("lite"), profile_named("standard")
    assert lite is not None and standard is not None
    assert lite.max_bytes(HOUR) <= 200 * MB
    assert lite.max_height == 480 and lite.audio_channels == 1
    assert 32 <= lite.audio_kbps <= 48
    assert standard.max_bytes(HOUR) > lite.max_bytes(HOUR)
    assert [p.name for p in PROFILES] == ["standard", "lite"]


def test_unknown_profile() -> None:
    with pytest.raises(OerpackError, match="unknown video profile 'hd'"):
        profile_named("hd")


@pytest.mark.parametrize(
    ("profile", "size", "expected"),
    [
        ("original", 5 * GB, 5 * GB),
        ("lite", 5 * GB, profile_named("lite").max_bytes(HOUR)),  # type: ignore[union-attr]
        ("lite", 10 * MB, 10 * MB),  # never more than the original
        # A transcode not 10 % smaller than its source is not kept: the estimate says so too.
        (
            "lite",
            int(profile_named("lite").max_bytes(HOUR) / 0.95),  # type: ignore[union-attr]
            int(profile_named("lite").max_bytes(HOUR) / 0.95),  # type: ignore[union-attr]
        ),
    ],
)
def test_estimate(profile: str, size: int, expected: int) -> None:
    assert estimate(Recording("r", HOUR, size), profile) == expected


def _fit(recordings: list[Recording], other: int, capacity: int) -> dict[str, str]:
    choices = choose_profiles(tuple(recordings), other_bytes=other, capacity=capacity)
    return {c.key: c.profile for c in choices}


@pytest.mark.parametrize(
    ("recordings", "other", "capacity", "expected"),
    [
        # Everything fits as it is: keep the originals.
        (
            [Recording("a", HOUR, 1 * GB), Recording("b", HOUR, 1 * GB)],
            0,
            4 * GB,
            {"a": "original", "b": "original"},
        ),
        # Six 1.5 GB one-hour webinars: on 8 GB half step down to standard (~720 MB/h; ties
        # are broken by key, last first), on 4 GB two more go down to lite.
        (
            [Recording(f"r{i}", HOUR, 1_500 * MB) for i in range(6)],
            100 * MB,
            8 * GB,
            {
                "r0": "original",
                "r1": "original",
                "r2": "original",
                "r3": "standard",
                "r4": "standard",
                "r5": "standard",
            },
        ),
        (
            [Recording(f"r{i}", HOUR, 1_500 * MB) for i in range(6)],
            100 * MB,
            4 * GB,
            {
                "r0": "standard",
                "r1": "standard",
                "r2": "standard",
                "r3": "standard",
                "r4": "lite",
                "r5": "lite",
            },
        ),
        # The largest recording steps down first; the small one keeps its quality.
        (
            [Recording("big", 2 * HOUR, 3_500 * MB), Recording("small", HOUR, 500 * MB)],
            0,
            4 * GB,
            {"big": "standard", "small": "original"},
        ),
        ([], 1 * GB, 4 * GB, {}),
    ],
)
def test_choose_profiles(
    recordings: list[Recording], other: int, capacity: int, expected: dict[str, str]
) -> None:
    assert _fit(recordings, other, capacity) == expected


def test_choose_profiles_fails_naming_what_does_not_fit() -> None:
    recordings = (Recording("long-talk", 30 * HOUR, 20 * GB), Recording("short", HOUR, GB))
    with pytest.raises(DoesNotFitError) as info:
        choose_profiles(recordings, other_bytes=500 * MB, capacity=4 * GB)
    error = info.value
    assert error.exit_code == ExitCode.DOES_NOT_FIT
    assert "long-talk" in error.message and "500 MB documents" in error.message
    assert error.hint and "larger stick" in error.hint


def test_the_profile_name_is_resolved_once_when_the_options_are_made() -> None:
    from oerpack.errors import OerpackError
    from oerpack.media.derive import MediaOptions
    from oerpack.media.profiles import ProfileName

    assert MediaOptions(video_profile="lite").video_profile is ProfileName.LITE  # type: ignore[arg-type]
    assert not MediaOptions().reencodes
    assert MediaOptions(fit=10**9).reencodes
    with pytest.raises(OerpackError, match="unknown video profile 'hd'"):
        MediaOptions(video_profile="hd")  # type: ignore[arg-type]
