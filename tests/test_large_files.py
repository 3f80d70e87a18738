"""FAT32's 4 GiB limit is enforced before the first byte when the size is known (issue 16,
item 7): a pin in the manifest, or the Content-Length of the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package
from oerpack.cli import main
from oerpack.errors import DoesNotFitError, ExitCode
from tests.support.fetching import fast_settings, write_manifest
from tests.support.server import FaultServer, pattern_body

HUGE = 4 * 2**30 + 300 * 2**20  # 4.3 GiB, never stored: the server computes the bytes


def test_a_pinned_size_over_4_gib_is_refused_before_any_request(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/big.mp4", pattern_body(HUGE))
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "big", "url": fault_server.url("/big.mp4"), "size": HUGE}]
    )
    with pytest.raises(DoesNotFitError, match=r"FAT32: big\.en") as info:
        build_package(manifest, tmp_path / "out", fast_settings(tmp_path / "cache"))
    assert info.value.exit_code == ExitCode.DOES_NOT_FIT
    assert fault_server.stats("/big.mp4").count == 0


def test_a_content_length_over_4_gib_is_refused_before_the_body(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.add("/big.mp4", pattern_body(HUGE))
    manifest = write_manifest(
        tmp_path / "m.yaml", [{"id": "big", "url": fault_server.url("/big.mp4")}]
    )
    result = CliRunner().invoke(
        main,
        ["build", str(manifest), "--out", str(tmp_path / "out"), "--cache-dir",
         str(tmp_path / "cache"), "--retries", "0", "--backoff", "0"],
    )  # fmt: skip
    assert result.exit_code == ExitCode.DOES_NOT_FIT, result.output
    assert "more than a FAT32 stick holds in one file" in result.stderr
    assert "--allow-large-files" in result.stderr
    stats = fault_server.stats("/big.mp4")
    assert stats.count == 1 and stats.bytes_sent < 64 * 2**20  # at most what socket buffers took
    parts = list((tmp_path / "cache" / "partial").glob("*.part"))
    assert all(p.stat().st_size == 0 for p in parts)
