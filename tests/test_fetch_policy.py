"""Pure parts of fetching: retry delays, Retry-After parsing, disk-space arithmetic."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oerpack.diskspace import SpaceNeed, check_space, existing_ancestor
from oerpack.errors import DiskSpaceError
from oerpack.fetch.retry import RetryPolicy, parse_retry_after

NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        (" 120 ", 120.0),
        ("soon", None),
        ("Mon, 01 Jan 2024 12:00:30 GMT", 30.0),
        ("Mon, 01 Jan 2024 11:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("failed", "low", "high"), [(1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (10, 5.0, 10.0)]
)
def test_backoff_doubles_with_jitter_and_is_capped(failed: int, low: float, high: float) -> None:
    policy = RetryPolicy(retries=10, backoff=1.0, max_backoff=10.0)
    delays = {policy.delay(failed, rng=random.Random(seed)) for seed in range(20)}
    assert all(low <= d <= high for d in delays)
    assert len(delays) > 1  # jitter spreads clients apart


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(0.0, 0.0), (5.0, 5.0), (3600.0, 10.0), (-3.0, 0.0)]
)
def test_retry_after_wins_but_is_bounded(retry_after: float, expected: float) -> None:
    assert RetryPolicy(max_backoff=10.0).delay(1, retry_after=retry_after) == expected


def test_zero_backoff_means_no_wait() -> None:
    assert RetryPolicy(backoff=0.0, max_backoff=0.0).delay(5) == 0.0
    assert RetryPolicy(max_backoff=0.0).delay(1, retry_after=60) == 0.0


@pytest.mark.parametrize(
    ("retries", "failed", "allowed"), [(0, 1, False), (2, 2, True), (2, 3, False)]
)
def test_attempts_are_bounded(retries: int, failed: int, allowed: bool) -> None:
    assert RetryPolicy(retries=retries).allows(failed) is allowed


def test_existing_ancestor(tmp_path: Path) -> None:
    assert existing_ancestor(tmp_path / "a" / "b") == tmp_path


def test_space_needs_on_one_filesystem_add_up(tmp_path: Path) -> None:
    check_space([SpaceNeed(tmp_path, 1000, "downloads")])
    half = 10**15
    with pytest.raises(DiskSpaceError, match="downloads \\+ the package") as info:
        check_space(
            [
                SpaceNeed(tmp_path / "cache", half, "downloads"),
                SpaceNeed(tmp_path / "out", half, "the package"),
            ]
        )
    assert info.value.needed > 2 * half and info.value.free < info.value.needed
