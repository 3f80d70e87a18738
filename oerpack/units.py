"""Human-readable sizes, shared by the CLI, progress lines and the viewer (pure, no
third-party imports, so the CLI can load it cheaply)."""

from __future__ import annotations


def human_size(size: int) -> str:
    """Decimal units as file managers show them: ``512 B``, ``1.5 MB``, ``2.1 GB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"
