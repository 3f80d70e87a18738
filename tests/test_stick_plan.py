"""The pure parts of ``oerpack write``: what to copy, keep and delete; relocated links; paths
that would leave the target; the report's formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from oerpack.errors import PackageError
from oerpack.stick.copy import inside
from oerpack.stick.image import relocate
from oerpack.stick.plan import Want, plan_target, rounded
from oerpack.stick.report import TargetResult, table, to_csv, to_json

A, B, C = "a" * 64, "b" * 64, "c" * 64


@pytest.mark.parametrize(
    ("present", "recorded", "copy", "keep", "delete"),
    [
        ({}, {}, ["x", "y"], [], []),  # empty stick
        ({"x": 10, "y": 20}, {"x": A, "y": B}, [], ["x", "y"], []),  # already written
        ({"x": 10, "y": 20}, {"x": A, "y": C}, ["y"], ["x"], []),  # y changed, same size
        ({"x": 10, "y": 5}, {}, ["y"], ["x"], []),  # interrupted: no record, y cut short
        ({"x": 10, "old": 7}, {"x": A, "old": C}, ["y"], ["x"], ["old"]),  # update
        ({"x": 10, "x.oerpack-part": 3}, {}, ["y"], ["x"], ["x.oerpack-part"]),  # killed
    ],
)
def test_plan_target(
    present: dict[str, int],
    recorded: dict[str, str],
    copy: list[str],
    keep: list[str],
    delete: list[str],
) -> None:
    wanted = {"x": Want(10, A), "y": Want(20, B)}
    plan = plan_target(wanted, present, recorded, cluster=4)
    assert (list(plan.copy), list(plan.keep), list(plan.delete)) == (copy, keep, delete)
    assert plan.full_bytes == 30
    assert plan.write_bytes == sum(wanted[n].size for n in copy)


def test_files_an_interrupted_write_verified_are_done() -> None:
    wanted = {"x": Want(10, A), "y": Want(20, B), "z": Want(5, C)}
    plan = plan_target(wanted, {"x": 10, "y": 20, "z": 4}, {}, verified={"x": A, "y": C, "z": C})
    assert plan.done == ("x",)  # y: the journal names other bytes; z: cut short since
    assert (plan.keep, plan.copy) == (("y",), ("z",))
    assert plan.check_bytes == 25 and plan.write_bytes == 5


def test_space_needed_counts_clusters_freed_space_and_one_transient_copy() -> None:
    wanted = {"x": Want(1, A), "y": Want(5000, B)}
    plan = plan_target(wanted, {"y": 100, "old": 9000}, {"y": C}, cluster=4096)
    # x: 4096; y: 8192 new, 4096 old freed but held while copying; old: 12288 freed
    assert plan.space_needed == 4096 + 8192 - 4096 - 12288 + 4096
    assert rounded(0) == 0 and rounded(1, 512) == 512 and rounded(512, 512) == 512


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            '<a href="KOLIBRI_DATA/content/storage/a/b/x.pdf">',
            '<a href="../KOLIBRI_DATA/content/storage/a/b/x.pdf">',
        ),
        ('<a href="../../KOLIBRI_DATA/x.pdf">', '<a href="../../../KOLIBRI_DATA/x.pdf">'),
        ('{"href":"KOLIBRI_DATA/x.mp4"}', '{"href":"../KOLIBRI_DATA/x.mp4"}'),
        ("<p>see KOLIBRI_DATA/ on the stick</p>", "<p>see KOLIBRI_DATA/ on the stick</p>"),
        ('<a href="pages/x/index.html">', '<a href="pages/x/index.html">'),
    ],
)
def test_relocate_moves_storage_links_one_folder_up(before: str, after: str) -> None:
    assert relocate(before.encode()) == after.encode()


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", "a\\b", ""])
def test_names_outside_the_target_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(PackageError):
        inside(tmp_path, name)


def test_symlinked_folder_leading_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stick").mkdir()
    (tmp_path / "stick" / "assets").symlink_to(tmp_path)
    with pytest.raises(PackageError, match="outside"):
        inside(tmp_path / "stick", "assets/x.js")
    assert inside(tmp_path / "stick", "a/b.txt") == tmp_path / "stick" / "a" / "b.txt"


def test_report_formats() -> None:
    good = TargetResult(
        "/media/usb1",
        label="USB1",
        uuid="AB12-CD34",
        capacity=8 * 10**9,
        bytes_written=2_000_000,
        full_bytes=4_000_000,
        verified=True,
        seconds=2.0,
    )
    bad = TargetResult("/media/usb2", error="No space left on device", exit_code=1)
    lines = table([good, bad])
    assert lines[0].split() == [
        "target",
        "label",
        "capacity",
        "written",
        "of",
        "full",
        "verified",
        "s",
        "MB/s",
    ]
    assert "yes" in lines[1] and "8.0 GB" in lines[1] and "1.0" in lines[1].split()[-1]
    assert "NO" in lines[2] and lines[-2] == "/media/usb2: No space left on device"
    assert lines[-1] == "1 of 2 target(s) verified; 2.0 MB written in all"
    rows = list(csv.DictReader(io.StringIO(to_csv([good, bad]))))
    assert rows[0]["uuid"] == "AB12-CD34" and rows[0]["verified"] == "True"
    assert rows[1]["error"] == "No space left on device"
    data = json.loads(to_json([good]))
    assert data[0]["throughput_mb_s"] == 1.0 and data[0]["bytes_written"] == 2_000_000
