"""ffmpeg as a child process: a chatty failure cannot hang the build."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from oerpack.media.profiles import profile_named
from oerpack.media.video import MediaToolError, transcode


def test_a_failing_ffmpeg_that_writes_a_lot_to_stderr_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    # 1 MB of complaints, far more than a pipe holds, before ffmpeg gives up.
    fake.write_text(
        "#!/bin/sh\nhead -c 1000000 /dev/zero | tr '\\0' 'x' >&2\necho 'last words' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    src = tmp_path / "in.mp4"
    src.write_bytes(b"not a video")
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            transcode(src, tmp_path / "out.mp4", profile_named("lite"), seconds=1.0)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "transcode hung on a full stderr pipe"
    assert isinstance(outcome[0], MediaToolError)
    assert "last words" in str(outcome[0])
    assert not (tmp_path / "out.mp4").exists()
