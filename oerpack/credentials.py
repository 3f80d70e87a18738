"""Keep the user:password of ``--mirror`` addresses out of everything oerpack writes or
prints: the lock file, the package and messages show ``***`` instead."""

from __future__ import annotations

import re

MASK = "***"
#: ``scheme://userinfo@`` in a URL or anywhere in a message; userinfo has no '/', '@' or
#: white space.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@")


def mask_credentials(text: str) -> str:
    """``text`` with the userinfo of every URL in it replaced by ``***``."""
    return _USERINFO.sub(rf"\g<1>{MASK}@", text)
