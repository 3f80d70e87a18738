"""Old and odd event pages: hundreds of unclosed <font><b> do not exhaust the stack of
discover or refresh, and DEL/C1 characters on a page do not make the draft invalid YAML."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from oerpack.cli import main
from oerpack.lock import lock_path
from oerpack.manifest import load_manifest
from tests.support.server import PDF_HEAD, FaultServer, pattern_body

UNCLOSED = "<font face='Arial'><b>" * 400


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def deep_page(base: str) -> str:
    return (
        "<html lang='en'><head><title>Old symposium</title></head><body>"
        "<h2>Webinar 1: Distance learning</h2><ul>"
        f"<li>{UNCLOSED}Opening talk "
        f"<a href='{base}/files/opening-en.pdf'>Eng</a> "
        f"<a href='{base}/files/opening-ru.pdf'>Rus</a>"
        f"<li>Closing talk <a href='{base}/files/closing-en.pdf'>Eng</a>"
        "</ul></body></html>"
    )


def serve(srv: FaultServer, page: str) -> str:
    srv.add("/event", page.encode("utf-8"), content_type="text/html; charset=utf-8")
    return srv.url("/event")


def draft(srv: FaultServer, url: str, tmp_path: Path) -> Path:
    result = run("discover", url, "--retries", "0")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    path = tmp_path / "draft.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def test_discover_reads_a_page_with_400_unclosed_font_tags(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    manifest = load_manifest(draft(fault_server, serve(fault_server, deep_page("")), tmp_path))
    items = manifest.all_items()
    assert [i.title.get("en") for i in items] == ["Opening talk", "Closing talk"]
    assert [s.lang for s in items[0].sources] == ["en", "ru"]


def test_control_characters_on_a_page_leave_the_draft_valid(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    page = (
        "<html><body><h2>Webinar\x7f 1</h2><ul>"
        "<li>Opening\x85 talk\x9b\x80 <a href='/files/o.pdf'>Eng\x90</a>"
        "</ul></body></html>"
    )
    path = draft(fault_server, serve(fault_server, page), tmp_path)
    text = path.read_text(encoding="utf-8")
    assert not any(0x7F <= ord(c) <= 0x9F for c in text), [c for c in text if ord(c) >= 0x7F]
    assert run("validate", str(path)).exit_code == 0
    (item,) = load_manifest(path).all_items()
    assert item.title.get("en") == "Opening talk"


def test_refresh_resolves_sources_from_a_deeply_nested_page(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    page_url = serve(fault_server, deep_page(fault_server.base_url))
    for name in ("opening-en", "opening-ru", "closing-en"):
        fault_server.add(f"/files/{name}.pdf", pattern_body(5000, seed=len(name), head=PDF_HEAD))
    path = draft(fault_server, page_url, tmp_path)
    manifest = path.read_text(encoding="utf-8")
    for name in ("opening-en", "opening-ru", "closing-en"):  # recorded by label only
        manifest = manifest.replace(f', url: "{fault_server.base_url}/files/{name}.pdf"', "")
    path.write_text(manifest.replace('"TODO: who publishes this material"', "UNESCO"))
    result = run("refresh", str(path), "--cache-dir", str(tmp_path / "c"), "--backoff", "0")
    assert result.exit_code == 0, result.output
    sources = json.loads(lock_path(path).read_text(encoding="utf-8"))["sources"]
    assert len(sources) == 3 and all(e["sha256"] for e in sources.values())
