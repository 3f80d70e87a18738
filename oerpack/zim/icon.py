"""The 48x48 PNG that Kiwix shows for a ZIM (Pillow's only direct user)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageOps

SIZE = 48


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)  # no dates or text chunks: reproducible
    return out.getvalue()


def icon_from_image(path: Path) -> bytes:
    """A poster or thumbnail, centre-cropped to a square and scaled to 48x48."""
    with Image.open(path) as image:
        square = ImageOps.fit(image.convert("RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS)
    return _png(square)


def plain_icon(seed: str) -> bytes:
    """A plain square in a colour taken from ``seed`` (the event id) with a light band:
    for events with no picture to show."""
    red, green, blue = hashlib.sha256(seed.encode("utf-8")).digest()[:3]
    colour = (40 + red % 120, 60 + green % 120, 90 + blue % 120)
    image = Image.new("RGB", (SIZE, SIZE), colour)
    image.paste((245, 245, 240), (8, 30, 40, 38))
    return _png(image)
