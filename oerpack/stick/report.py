"""The batch report: one row per target, as a table for the terminal and CSV/JSON for the
ministry's records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..units import human_size


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: str
    label: str = ""
    uuid: str = ""
    fstype: str = ""
    capacity: int | None = None
    packages: tuple[str, ...] = ()
    bytes_written: int = 0
    full_bytes: int = 0
    files_written: int = 0
    files_kept: int = 0
    files_deleted: int = 0
    #: Read back good by an interrupted write, so neither copied nor read again.
    files_resumed: int = 0
    bytes_verified: int = 0
    verified: bool = False
    readback: str = ""
    free_space: str = ""
    seconds: float = 0.0
    error: str = ""
    exit_code: int = 0

    @property
    def throughput(self) -> float:
        """MB/s over the whole write (copy and read-back)."""
        return (self.bytes_written / 1e6) / self.seconds if self.seconds > 0 else 0.0

    def problem(self) -> str:
        """The error, naming the target once."""
        return self.error if self.error.startswith(self.target) else f"{self.target}: {self.error}"

    def as_dict(self) -> dict[str, object]:
        row = asdict(self)
        row["packages"] = list(self.packages)
        row["seconds"] = round(self.seconds, 2)
        row["throughput_mb_s"] = round(self.throughput, 2)
        return row


_COLUMNS = (
    "target",
    "label",
    "uuid",
    "fstype",
    "capacity",
    "packages",
    "bytes_written",
    "full_bytes",
    "files_written",
    "files_kept",
    "files_deleted",
    "files_resumed",
    "bytes_verified",
    "verified",
    "readback",
    "free_space",
    "seconds",
    "throughput_mb_s",
    "error",
    "exit_code",
)


def to_json(results: Sequence[TargetResult]) -> str:
    return json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False) + "\n"


def to_csv(results: Sequence[TargetResult]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        row = result.as_dict()
        row["packages"] = " ".join(result.packages)
        writer.writerow(row)
    return out.getvalue()


def table(results: Sequence[TargetResult]) -> list[str]:
    """Fixed-width lines: target, label, capacity, written (of a full write), verified, time."""
    rows = [("target", "label", "capacity", "written", "of full", "verified", "s", "MB/s")]
    for r in results:
        rows.append(
            (
                r.target,
                r.label + (f" {r.uuid}" if r.uuid else ""),
                human_size(r.capacity) if r.capacity else "?",
                human_size(r.bytes_written),
                human_size(r.full_bytes),
                "yes" if r.verified else "NO",
                f"{r.seconds:.1f}",
                f"{r.throughput:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.extend(r.problem() for r in results if r.error)
    good = sum(1 for r in results if r.verified)
    written = sum(r.bytes_written for r in results)
    lines.append(
        f"{good} of {len(results)} target(s) verified; {human_size(written)} written in all"
    )
    return [line.rstrip() for line in lines]


def save_report(results: Sequence[TargetResult], path: Path) -> list[Path]:
    """``path`` as .csv or .json by its suffix; both (``path.csv``, ``path.json``) otherwise."""
    suffix = path.suffix.lower()
    targets = (
        [path]
        if suffix in (".csv", ".json")
        else [path.with_suffix(".csv"), path.with_suffix(".json")]
    )
    for target in targets:
        text = to_csv(results) if target.suffix.lower() == ".csv" else to_json(results)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
    return targets
