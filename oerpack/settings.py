"""How oerpack runs (cache, network, parallelism): everything the manifest does not say."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_cache_dir() -> Path:
    """The user's cache directory: ``$OERPACK_CACHE``, else ``$XDG_CACHE_HOME/oerpack``."""
    if env := os.environ.get("OERPACK_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oerpack"


@dataclass(frozen=True, slots=True)
class Settings:
    cache_dir: Path
    mirrors: tuple[tuple[str, str], ...] = ()
    offline: bool = False
    jobs: int = 4
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    #: A body slower than ``min_rate`` bytes/s over ``rate_window`` seconds is retried.
    min_rate: int = 1000
    rate_window: float = 30.0
    retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    user_agent: str = "oerpack"
    #: Let ``path:`` sources lead outside the manifest's folder through symbolic links.
    allow_outside_paths: bool = False
    #: Refuse a download larger than this before its first byte (``build`` without
    #: ``--allow-large-files``: FAT32's 4 GiB limit); None allows any size.
    max_file_size: int | None = None

    def rewrite(self, url: str) -> str:
        """Apply the longest matching ``--mirror FROM=TO`` prefix rewrite to ``url``."""
        best: tuple[str, str] | None = None
        for prefix, target in self.mirrors:
            if url.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, target)
        return url if best is None else best[1] + url[len(best[0]) :]
