"""Platform-hosted recordings through yt-dlp (``via: yt-dlp``), against a local server only.

The FaultServer serves a web page with a ``<video src>``, which yt-dlp's generic extractor
handles as it would a page of a video platform, and the MP4 it points at.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from oerpack.build import build_package, fetch_manifest
from oerpack.cache import Cache
from oerpack.cli import main
from oerpack.errors import DownloadError, ExitCode, FetchFailedError
from oerpack.fetch.parallel import fetch_all
from oerpack.fetch.platform import download_platform
from oerpack.models import FetchCancelledError, FetchResult, FetchTask, Progress
from oerpack.refresh import refresh_manifest
from oerpack.settings import Settings
from tests.support.fetching import fast_settings
from tests.support.media import make_video
from tests.support.server import FaultServer

PAGE = b"""<!DOCTYPE html><html><head><title>Webinar recording</title></head>
<body><h1>Webinar</h1><video controls src="/media/talk.mp4"></video></body></html>"""
MANIFEST = """\
oerpack: 1
event: {{id: platform, title: Platform test, languages: [en], publisher: Test,
        license: CC BY 4.0}}
items:
  - id: talk
    title: Talk
    kind: recording
    sources:
      - {{lang: en, url: "{url}", via: yt-dlp{pins}}}
"""


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("platform") / "talk.mp4"
    make_video(path, seconds=2.0, size="320x240")
    return path.read_bytes()


@pytest.fixture
def srv(fault_server: FaultServer, video: bytes) -> FaultServer:
    fault_server.add("/media/talk.mp4", video)
    fault_server.add("/watch/talk.html", PAGE, content_type="text/html; charset=utf-8")
    return fault_server


def _manifest(tmp_path: Path, url: str, **pins: object) -> Path:
    extra = "".join(f", {k}: {v}" for k, v in pins.items())
    path = tmp_path / "m" / "event.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MANIFEST.format(url=url, pins=extra), encoding="utf-8")
    return path


def _lock(manifest: Path) -> dict[str, dict[str, object]]:
    data = json.loads(manifest.with_name("event.yaml.lock.json").read_text(encoding="utf-8"))
    sources: dict[str, dict[str, object]] = data["sources"]
    return sources


def _leftovers(cache_dir: Path) -> list[str]:
    """What lies in the cache's partial folder besides lock files."""
    return sorted(p.name for p in (cache_dir / "partial").iterdir() if p.suffix != ".lock")


@pytest.mark.slow
def test_a_page_is_fetched_verified_locked_and_packaged(
    srv: FaultServer, video: bytes, tmp_path: Path, cache_dir: Path
) -> None:
    page_url = srv.url("/watch/talk.html")
    manifest = _manifest(tmp_path, page_url)
    settings = fast_settings(cache_dir)
    outcome = build_package(manifest, tmp_path / "out", settings, make_zip=False)
    entry = _lock(manifest)["talk.en"]
    blob = Cache(cache_dir).lookup(str(entry["sha256"]))
    assert blob is not None and blob.path.read_bytes() == video
    assert entry["url"] == page_url and entry["size"] == len(video)
    assert entry["final_url"] == srv.url("/media/talk.mp4")
    assert entry["content_type"] == "video/mp4"
    assert _leftovers(cache_dir) == []
    record = json.loads((outcome.package.folder / "oerpack.json").read_text(encoding="utf-8"))
    packaged = next(f for f in record["files"] if f["key"] == "talk.en")
    assert packaged["media"] == "video" and packaged["path"].endswith(".mp4")
    assert (outcome.package.folder / packaged["path"]).read_bytes() == video
    # The lock now pins the bytes: the next build takes them from the cache, asking nothing.
    before = srv.stats("/media/talk.mp4").count + srv.stats("/watch/talk.html").count
    again = fetch_manifest(manifest, settings)
    assert [r.from_cache for r in again.report.results] == [True]
    assert srv.stats("/media/talk.mp4").count + srv.stats("/watch/talk.html").count == before


@pytest.mark.parametrize("pin", ["sha256", "size"])
def test_a_pin_mismatch_fails_and_leaves_nothing(
    srv: FaultServer, video: bytes, pin: str, tmp_path: Path, cache_dir: Path
) -> None:
    wrong = {"sha256": "0" * 64, "size": len(video) + 1}[pin]
    manifest = _manifest(tmp_path, srv.url("/watch/talk.html"), **{pin: wrong})
    with pytest.raises(FetchFailedError) as failed:
        fetch_manifest(manifest, fast_settings(cache_dir))
    assert failed.value.exit_code == ExitCode.CHECKSUM_MISMATCH
    assert f"{pin} mismatch" in str(failed.value)
    assert list((cache_dir / "blobs").rglob("*")) == []
    assert _leftovers(cache_dir) == []


def _task(url: str, **fields: object) -> FetchTask:
    return FetchTask(key="talk.en", url=url, source_url=url, via="yt-dlp", **fields)  # type: ignore[arg-type]


def _download(
    task: FetchTask,
    settings: Settings,
    *,
    stop: threading.Event | None = None,
    events: list[Progress] | None = None,
) -> FetchResult:
    cache = Cache(settings.cache_dir)
    cache.ensure()
    assert task.url is not None
    return download_platform(
        task,
        cache.partial_path(task.url),
        settings=settings,
        cache=cache,
        progress=(events.append if events is not None else lambda event: None),
        stop=stop or threading.Event(),
    )


def test_a_cut_download_resumes_on_the_next_run(
    srv: FaultServer, video: bytes, cache_dir: Path
) -> None:
    srv.fault("/media/talk.mp4", cut_after=4000, cut_times=1)
    task = _task(srv.url("/watch/talk.html"), sha256=None)
    settings = fast_settings(cache_dir, retries=0)
    with pytest.raises(DownloadError, match="yt-dlp"):
        _download(task, settings)
    assert len(_leftovers(cache_dir)) == 1  # yt-dlp's working folder, with its .part
    events: list[Progress] = []
    result = _download(task, settings, events=events)
    ranges = [r.header("Range") for r in srv.stats("/media/talk.mp4").requests]
    assert ranges[0] is None and ranges[-1] is not None
    resumed_at = int(ranges[-1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 4000  # what yt-dlp had written of the first 4000 bytes
    assert result.blob.path.read_bytes() == video
    assert events[0].kind == "start" and events[0].amount > resumed_at  # after a chunk
    assert sum(e.amount for e in events) == len(video)
    assert _leftovers(cache_dir) == []


def test_stopping_cancels_and_keeps_the_partial_file(srv: FaultServer, cache_dir: Path) -> None:
    srv.fault("/media/talk.mp4", trickle_bytes_per_s=20_000)
    stop = threading.Event()

    class StopOnStart(list[Progress]):
        def append(self, event: Progress) -> None:
            super().append(event)
            stop.set()

    with pytest.raises(FetchCancelledError):
        _download(
            _task(srv.url("/watch/talk.html")),
            fast_settings(cache_dir),
            stop=stop,
            events=StopOnStart(),
        )
    assert len(_leftovers(cache_dir)) == 1
    assert list((cache_dir / "blobs").rglob("*")) == []


def test_a_page_without_a_recording_is_a_download_error(srv: FaultServer, cache_dir: Path) -> None:
    srv.add(
        "/watch/empty.html",
        b"<!DOCTYPE html><title>Nothing</title><p>No video.</p>",
        content_type="text/html",
    )
    with pytest.raises(DownloadError) as error:
        _download(_task(srv.url("/watch/empty.html")), fast_settings(cache_dir))
    assert error.value.exit_code == ExitCode.DOWNLOAD_FAILED
    assert error.value.hint and "yt-dlp" in error.value.hint


def test_without_yt_dlp_the_source_fails_with_a_hint(
    srv: FaultServer, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # import yt_dlp now raises ImportError
    manifest = _manifest(tmp_path, srv.url("/watch/talk.html"))
    result = CliRunner().invoke(
        main,
        ["fetch", str(manifest), "--cache-dir", str(cache_dir), "--backoff", "0"],
        catch_exceptions=False,
    )
    assert result.exit_code == ExitCode.DOWNLOAD_FAILED
    assert "'via: yt-dlp' but yt-dlp is not installed" in result.stderr
    assert "pip install 'oerpack[video-platforms]'" in result.stderr
    assert srv.stats("/watch/talk.html").count == 0


def test_offline_uses_what_the_page_gave_last_time(
    srv: FaultServer, video: bytes, cache_dir: Path
) -> None:
    url = srv.url("/watch/talk.html")
    _download(_task(url), fast_settings(cache_dir))
    settings = fast_settings(cache_dir, offline=True)
    report = fetch_all([_task(url)], settings=settings)
    assert [r.blob.path.read_bytes() == video for r in report.results] == [True]
    assert report.results[0].from_cache and report.results[0].entry.content_type == "video/mp4"


def test_refresh_fetches_the_recording_not_the_page(
    srv: FaultServer, video: bytes, tmp_path: Path, cache_dir: Path
) -> None:
    manifest = _manifest(tmp_path, srv.url("/watch/talk.html"))
    refresh_manifest(manifest, fast_settings(cache_dir))
    entry = _lock(manifest)["talk.en"]
    assert entry["size"] == len(video) and entry["content_type"] == "video/mp4"
