"""Debian's Firefox ESR, headless, driven over Marionette on 127.0.0.1 (no extra packages).

Playwright's Firefox needs its own patched build, which cannot be installed here; Firefox's
own remote protocol, Marionette, is a few JSON messages over a local socket: each message is
``<length>:<json>``, a command ``[0, id, name, params]`` and its answer ``[1, id, error,
result]``. A fresh profile turns off updates, telemetry and every other network feature.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
PREFS = {
    "app.update.disabledForTesting": True,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.region.network.url": "",
    "intl.accept_languages": "en",
}


class Marionette:
    """A Marionette session: navigate, run a script, take a screenshot."""

    def __init__(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.buffer = b""
        self.next_id = 0
        self._read()  # the server's hello
        self.send("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {}}})

    def _read(self) -> Any:
        while b":" not in self.buffer:
            self.buffer += self._recv()
        size, _, rest = self.buffer.partition(b":")
        while len(rest) < int(size):
            rest += self._recv()
        self.buffer = rest[int(size) :]
        return json.loads(rest[: int(size)])

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("Firefox closed the Marionette connection")
        return chunk

    def send(self, name: str, params: dict[str, Any] | None = None) -> Any:
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            answer = self._read()
            if answer[0] == 1 and answer[1] == self.next_id:
                break
        if answer[2]:
            raise RuntimeError(f"{name}: {answer[2]}")
        return answer[3]

    def navigate(self, url: str) -> None:
        self.send("WebDriver:Navigate", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body; ``arguments`` holds ``args``) in the page."""
        result = self.send("WebDriver:ExecuteScript", {"script": script, "args": list(args)})
        return result.get("value") if isinstance(result, dict) else result

    def resize(self, width: int, height: int) -> None:
        self.send("WebDriver:SetWindowRect", {"width": width, "height": height})

    def screenshot(self, path: Path) -> None:
        data = self.send("WebDriver:TakeScreenshot", {"full": False})
        path.write_bytes(base64.b64decode(data["value"] if isinstance(data, dict) else data))

    def poll(self, script: str, *, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(script)
            if value or time.monotonic() > deadline:
                assert value, f"timed out waiting for {script}"
                return value
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def firefox(profile: Path) -> Iterator[Marionette]:
    """A headless Firefox ESR with a fresh ``profile``; quits it afterwards."""
    port = _free_port()
    profile.mkdir(parents=True, exist_ok=True)
    prefs = {**PREFS, "marionette.port": port}
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [FIREFOX, "--headless", "--marionette", "--no-remote", "--profile", str(profile)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        session = Marionette(port)
        try:
            yield session
        finally:
            with suppress(OSError, RuntimeError):
                session.send("Marionette:Quit", {"flags": ["eForceQuit"]})
            session.sock.close()
    finally:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
