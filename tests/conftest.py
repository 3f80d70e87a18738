"""Test-wide guards and fixtures: no network but loopback, fresh cache per test."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost",):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # AF_UNIX paths are local


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block every non-loopback connection made from the test process."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def fault_server() -> Iterator[Any]:
    from tests.support.server import FaultServer

    with FaultServer() as server:
        yield server


def copy_demo(folder: Path) -> Path:
    """The demo manifest, its lock and its sources copied into ``folder``, so a build writes
    its lock there and never into the repository; returns the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "manifests" / "demo", folder / "demo")
    for name in ("demo.yaml", "demo.yaml.lock.json"):
        shutil.copy2(REPO / "manifests" / name, folder / name)
    return folder / "demo.yaml"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "manifests")
