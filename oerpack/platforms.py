"""Which web addresses are video platforms' pages: one recording (fetched with yt-dlp) or a
channel, playlist or profile (many recordings, never one source). Pure: no network, no yt-dlp.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

#: The ``via`` a manifest source gives for a recording's page on a platform.
YT_DLP = "yt-dlp"

_YOUTUBE = ("youtube.com", "youtube-nocookie.com")
_ONE_YOUTUBE = re.compile(r"^/(?:embed|shorts|live|v)/[\w-]{6,}")
_ONE_VIMEO = re.compile(r"^/(?:video/)?\d{5,}(?:/[\w]+)?/?$")
_ONE_VK = re.compile(r"^/(?:video|clip)-?\d+_\d+")
_ONE_RUTUBE = re.compile(r"^/(?:video|play/embed|shorts)/[\w-]{8,}")


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def _on(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_platform_host(url: str) -> bool:
    """A video platform's address of any kind (recording, channel, playlist, profile)."""
    host = _host(url)
    return _on(host, *_YOUTUBE, "youtu.be", "vimeo.com", "vk.com", "vkvideo.ru", "rutube.ru")


def is_platform_recording(url: str) -> bool:
    """The page of one recording on a video platform: fetched with ``via: yt-dlp``."""
    parts = urlsplit(url)
    host, path = _host(url), parts.path
    if host == "youtu.be":
        return len(path.strip("/")) >= 6
    if _on(host, *_YOUTUBE):
        return (path == "/watch" and bool(parse_qs(parts.query).get("v"))) or bool(
            _ONE_YOUTUBE.match(path)
        )
    if _on(host, "vimeo.com"):
        return bool(_ONE_VIMEO.match(path))
    if _on(host, "vk.com", "vkvideo.ru"):
        return bool(_ONE_VK.match(path)) or "video" in parse_qs(parts.query).get("z", [""])[0]
    if _on(host, "rutube.ru"):
        return bool(_ONE_RUTUBE.match(path))
    return False


def is_platform_collection(url: str) -> bool:
    """A channel, playlist or profile page on a video platform: many recordings, no file."""
    return is_platform_host(url) and not is_platform_recording(url)


def source_via(via: str | None, manifest_url: str | None, url: str | None) -> str | None:
    """How a source is fetched: with its own ``via``; else with yt-dlp when its address came
    from the event page (the manifest gives none) and is one recording's page on a video
    platform. An address the manifest gives is taken as it says."""
    if via is not None or manifest_url is not None or url is None:
        return via
    return YT_DLP if is_platform_recording(url) else None


# A web archive's copy of an address: /web/<timestamp>[flags_]/<original address>.
_ARCHIVED = re.compile(
    r"^https?://(?:web\.archive\.org|webarchive\.unesco\.org)/web/\d{1,14}(?:[a-z]{2}_)?/"
    r"(https?://.+)$"
)


def unarchived_recording(url: str) -> str:
    """A web archive's copy of a recording's page on a video platform is the platform's own
    page (archives keep the page, not the video): its original address. Other addresses,
    archived files included, stay as they are."""
    found = _ARCHIVED.match(url)
    if found and is_platform_recording(found.group(1)):
        return found.group(1)
    return url
