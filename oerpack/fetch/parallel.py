"""Run fetch tasks on worker threads (one session each), collect per-item outcomes and
stop promptly on Ctrl-C, keeping partial downloads for the next run."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ..cache import Cache
from ..errors import FetchInterruptedError, OerpackError
from ..models import (
    FetchCancelledError,
    FetchReport,
    FetchResult,
    FetchTask,
    Progress,
    ProgressCallback,
)
from ..settings import Settings
from .download import Downloader, HostSlots

log = logging.getLogger(__name__)
#: How long Ctrl-C waits for workers to finish their current chunk before leaving them.
STOP_GRACE_S = 2.0

Outcome = FetchResult | OerpackError | BaseException


@dataclass(frozen=True, slots=True)
class _Done:
    index: int
    outcome: Outcome


def _worker(
    downloader: Downloader,
    tasks: Sequence[FetchTask],
    todo: queue.SimpleQueue[int],
    done: queue.SimpleQueue[_Done],
) -> None:
    try:
        while not downloader.stop.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            outcome: Outcome
            try:
                outcome = downloader.fetch(tasks[index])
            except FetchCancelledError:
                return
            except OerpackError as exc:
                outcome = exc
            except BaseException as exc:  # a bug: re-raised with its traceback by the caller
                outcome = exc
            done.put(_Done(index, outcome))
    finally:
        downloader.close()


def fetch_all(
    tasks: Sequence[FetchTask], *, settings: Settings, progress: ProgressCallback | None = None
) -> FetchReport:
    """Fetch every task on ``settings.jobs`` workers; a failure is recorded per source and
    the others go on. Ctrl-C raises FetchInterruptedError carrying what was finished."""
    notify = progress or (lambda event: None)
    cache = Cache(settings.cache_dir)
    stop = threading.Event()
    slots = HostSlots(settings.per_host)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    done: queue.SimpleQueue[_Done] = queue.SimpleQueue()
    for index in range(len(tasks)):
        todo.put(index)
    outcomes: dict[int, Outcome] = {}
    with cache.in_use():
        workers = [
            threading.Thread(
                target=_worker,
                name=f"oerpack-fetch-{n}",
                daemon=True,
                args=(
                    Downloader(settings, cache, progress, slots=slots, stop=stop),
                    tasks,
                    todo,
                    done,
                ),
            )
            for n in range(max(1, min(settings.jobs, len(tasks))))
        ]
        for worker in workers:
            worker.start()
        try:
            while len(outcomes) < len(tasks):
                try:
                    item = done.get(timeout=0.1)
                except queue.Empty:
                    if not any(w.is_alive() for w in workers) and done.empty():
                        break
                    continue
                outcomes[item.index] = item.outcome
                _announce(notify, tasks[item.index], item.outcome)
        except KeyboardInterrupt:
            stop.set()
            for worker in workers:
                worker.join(timeout=STOP_GRACE_S / len(workers))
            report = _report(tasks, outcomes)
            fetched = sum(1 for r in report.results if not r.from_cache)
            raise FetchInterruptedError(
                report,
                fetched=fetched,
                cached=len(report.results) - fetched,
                unfinished=len(tasks) - len(report.results),
            ) from None
        finally:
            stop.set()
    return _report(tasks, outcomes)


def _announce(notify: ProgressCallback, task: FetchTask, outcome: Outcome) -> None:
    if isinstance(outcome, FetchResult):
        notify(Progress("done", task.key, result=outcome))
    elif isinstance(outcome, OerpackError):
        notify(Progress("done", task.key, error=str(outcome)))
    else:
        raise outcome


def _report(tasks: Sequence[FetchTask], outcomes: dict[int, Outcome]) -> FetchReport:
    results = tuple(o for _, o in sorted(outcomes.items()) if isinstance(o, FetchResult))
    errors = [(tasks[i].key, o) for i, o in sorted(outcomes.items()) if isinstance(o, OerpackError)]
    return FetchReport(
        results=results,
        failures=tuple((k, str(e)) for k, e in errors),
        errors=tuple(e for _, e in errors),
    )
