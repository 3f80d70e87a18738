"""Many downloads at once: worker threads, per-host bound, per-item failures, progress."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from oerpack.errors import DownloadError
from oerpack.fetch.parallel import fetch_all
from oerpack.models import FetchTask, Progress
from oerpack.progress import ProgressPrinter
from tests.support.fetching import fast_settings
from tests.support.server import PDF_HEAD, FaultServer, pattern_body

SIZE = 200_000


class Concurrency:
    """A body reader that counts transfers in progress on the server."""

    def __init__(self, size: int, seed: int) -> None:
        self.body = pattern_body(size, seed, head=PDF_HEAD)
        self.lock = threading.Lock()

    def wrap(self, meter: dict[str, int]) -> object:
        def reader(offset: int, length: int) -> bytes:
            with self.lock:
                if offset == 0:
                    meter["now"] += 1
                    meter["max"] = max(meter["max"], meter["now"])
                if offset + length == self.body.size:
                    meter["now"] -= 1
            return self.body(offset, length)

        return reader


def serve(srv: FaultServer, count: int, *, trickle: int | None = None) -> list[FetchTask]:
    meter = {"now": 0, "max": 0}
    srv.meter = meter  # type: ignore[attr-defined]
    tasks = []
    for n in range(count):
        source = Concurrency(SIZE, seed=n)
        path = f"/f{n}.pdf"
        srv.add(path, source.wrap(meter), size=SIZE)  # type: ignore[arg-type]
        if trickle:
            srv.fault(path, trickle_bytes_per_s=trickle)
        tasks.append(
            FetchTask(
                key=f"item{n}.en",
                url=srv.url(path),
                lang="en",
                sha256=source.body.sha256(),
                size=SIZE,
            )
        )
    return tasks


@pytest.mark.parametrize(("jobs", "per_host", "expected"), [(4, 2, 2), (4, 4, 4), (1, 4, 1)])
def test_jobs_run_in_parallel_within_the_per_host_bound(
    fault_server: FaultServer, cache_dir: Path, jobs: int, per_host: int, expected: int
) -> None:
    tasks = serve(fault_server, 6, trickle=2_000_000)
    report = fetch_all(tasks, settings=fast_settings(cache_dir, jobs=jobs, per_host=per_host))
    assert [r.key for r in report.results] == [t.key for t in tasks]
    assert fault_server.meter["max"] == expected  # type: ignore[attr-defined]


def test_failures_are_per_item_and_the_others_go_on(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    tasks = serve(fault_server, 3)
    missing = FetchTask(key="gone.ru", url=fault_server.url("/gone.pdf"), lang="ru")
    events: list[Progress] = []
    lock = threading.Lock()

    def record(event: Progress) -> None:
        with lock:
            events.append(event)

    report = fetch_all(
        [tasks[0], missing, *tasks[1:]], settings=fast_settings(cache_dir, jobs=2), progress=record
    )
    assert [r.key for r in report.results] == [t.key for t in tasks]
    assert [key for key, _ in report.failures] == ["gone.ru"]
    [error] = report.errors
    assert isinstance(error, DownloadError) and "gone.ru [ru]: HTTP 404" in str(error)
    done = {e.key: e for e in events if e.kind == "done"}
    assert set(done) == {t.key for t in tasks} | {"gone.ru"}
    assert done["gone.ru"].error is not None


def test_progress_prints_one_line_per_file_when_not_a_terminal(
    fault_server: FaultServer, cache_dir: Path
) -> None:
    tasks = serve(fault_server, 3)
    out = io.StringIO()
    printer = ProgressPrinter(stream=out, tty=False)
    fetch_all(tasks, settings=fast_settings(cache_dir), progress=printer)
    fetch_all(tasks[:1], settings=fast_settings(cache_dir), progress=printer)
    lines = out.getvalue().splitlines()
    assert sorted(lines) == sorted(
        [f"fetched item{n}.en (200.0 KB)" for n in range(3)] + ["cached  item0.en (200.0 KB)"]
    )
    assert printer.summary().startswith("3 fetched, 1 from cache, 0 failed (600.0 KB in ")


def test_progress_draws_a_bar_with_files_in_flight_on_a_terminal() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(stream=out, tty=True)
    printer(Progress("start", "a.en", amount=0, total=1000))
    printer(Progress("start", "b.ru", amount=500, total=1000))
    printer(Progress("advance", "a.en", 500))
    status = printer.status()
    assert status.startswith("[##########          ] 1.0 KB/2.0 KB ")
    assert "/s ETA " in status and "2 in flight: a.en, b.ru" in status
    assert "\r\x1b[K" in out.getvalue()
    printer(Progress("start", "a.en", amount=0, total=1000))  # a restart is not counted twice
    assert printer.done_bytes == 500


def test_quiet_progress_prints_nothing(fault_server: FaultServer, cache_dir: Path) -> None:
    out = io.StringIO()
    fetch_all(
        serve(fault_server, 2),
        settings=fast_settings(cache_dir),
        progress=ProgressPrinter(stream=out, tty=True, quiet=True),
    )
    assert out.getvalue() == ""
