"""Everything that talks HTTP (the only ``requests`` user): downloads into the cache, and
page fetches and probes for refresh and discover."""

from .download import (
    Downloader,
    HostSlots,
    new_session,
)
from .hashing import hash_file
from .probe import NETWORK_ERRORS, Page, ProbeResult, Session, get_page, probe

__all__ = [
    "NETWORK_ERRORS",
    "Downloader",
    "HostSlots",
    "Page",
    "ProbeResult",
    "Session",
    "get_page",
    "hash_file",
    "new_session",
    "probe",
]
