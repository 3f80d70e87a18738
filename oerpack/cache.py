"""A content-addressed store of verified bytes, keyed by sha256, shared between runs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .models import Blob


class Cache:
    """``blobs/<aa>/<sha256>`` hold verified bytes, ``<sha256>.json`` their size and md5;
    ``partial/`` holds resumable downloads. A blob appears only by ``os.replace`` after it
    was verified, so readers never see a partial one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.partial = root / "partial"

    def ensure(self) -> None:
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.partial.mkdir(parents=True, exist_ok=True)

    def blob_path(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256

    def lookup(self, sha256: str, *, size: int | None = None) -> Blob | None:
        """The cached blob with this checksum, if present and of the expected size."""
        path = self.blob_path(sha256)
        meta_path = path.with_name(sha256 + ".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            actual = path.stat().st_size
        except (OSError, ValueError):
            return None
        if actual != meta.get("size") or (size is not None and actual != size):
            return None
        return Blob(path=path, size=actual, sha256=sha256, md5=str(meta["md5"]))

    def put(self, part: Path, *, sha256: str, md5: str, size: int) -> Blob:
        """Move the verified file ``part`` into the store (atomic; idempotent)."""
        path = self.blob_path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta_path = path.with_name(sha256 + ".json")
        tmp_meta = meta_path.with_name(f".{sha256}.{os.getpid()}.json")
        tmp_meta.write_text(json.dumps({"md5": md5, "size": size}), encoding="utf-8")
        os.replace(tmp_meta, meta_path)
        os.replace(part, path)
        return Blob(path=path, size=size, sha256=sha256, md5=md5)

    def partial_path(self, url: str) -> Path:
        """Where an unfinished download of ``url`` is kept between runs."""
        name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.partial / f"{name}.part"
