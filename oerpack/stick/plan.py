"""Decide, without touching anything, what a write does to one target: which files to copy,
which to keep (they are read back all the same) and which to delete, and the space it needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..package.target import CLUSTER


@dataclass(frozen=True, slots=True)
class Want:
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class TargetPlan:
    copy: tuple[str, ...]
    keep: tuple[str, ...]
    delete: tuple[str, ...]
    #: Read back good by an interrupted write: neither copied nor read again.
    done: tuple[str, ...]
    #: Bytes this write copies, and what copying everything would.
    write_bytes: int
    full_bytes: int
    #: Bytes to read back (everything not ``done``).
    check_bytes: int
    #: Free space the write needs on a file system of ``cluster``-byte clusters (may be < 0).
    space_needed: int


def rounded(size: int, cluster: int = CLUSTER) -> int:
    return -(-size // cluster) * cluster if size else 0


def plan_target(
    wanted: Mapping[str, Want],
    present: Mapping[str, int],
    recorded: Mapping[str, str],
    *,
    verified: Mapping[str, str] | None = None,
    cluster: int = CLUSTER,
) -> TargetPlan:
    """``present`` maps each file on the target to its size, ``recorded`` is the target's
    SHA256SUMS from an earlier finished write (empty when there is none), ``verified`` what
    an interrupted write read back good (its journal).

    A present file of the wanted size is kept unless the record says it holds other bytes:
    after an interrupted write there is no record, and the read-back decides. Everything not
    wanted is deleted.
    """
    copy: list[str] = []
    keep: list[str] = []
    done: list[str] = []
    verified = verified or {}
    for name in sorted(wanted):
        want = wanted[name]
        same_size = present.get(name) == want.size
        if same_size and verified.get(name) == want.sha256:
            done.append(name)
        elif same_size and recorded.get(name, want.sha256) == want.sha256:
            keep.append(name)
        else:
            copy.append(name)
    delete = sorted(name for name in present if name not in wanted)
    replaced = [present[n] for n in copy if n in present]
    freed = sum(rounded(present[n], cluster) for n in delete) + sum(
        rounded(s, cluster) for s in replaced
    )
    # A replaced file's old copy stays until its new one is whole: the largest one counts.
    transient = max((rounded(s, cluster) for s in replaced), default=0)
    needed = sum(rounded(wanted[n].size, cluster) for n in copy) - freed + transient
    return TargetPlan(
        copy=tuple(copy),
        keep=tuple(keep),
        delete=tuple(delete),
        done=tuple(done),
        check_bytes=sum(w.size for n, w in wanted.items() if n not in done),
        write_bytes=sum(wanted[n].size for n in copy),
        full_bytes=sum(w.size for w in wanted.values()),
        space_needed=needed,
    )
