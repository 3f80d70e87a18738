"""The shipped JSON Schema stays in step with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from oerpack import manifest as loader
from tests.conftest import REPO

SCHEMA_PATH = REPO / "oerpack" / "schema" / "manifest.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.mark.parametrize(
    ("definition", "keys"),
    [
        (None, loader.TOP_KEYS),
        ("event", loader.EVENT_KEYS),
        ("section", loader.SECTION_KEYS),
        ("item", loader.ITEM_KEYS),
        ("speaker", loader.SPEAKER_KEYS),
        ("source", loader.SOURCE_KEYS),
    ],
)
def test_schema_lists_the_keys_the_loader_accepts(
    schema: dict[str, Any], definition: str | None, keys: dict[str, bool]
) -> None:
    node = schema if definition is None else schema["$defs"][definition]
    assert set(node["properties"]) == set(keys)
    assert set(node.get("required", [])) == {k for k, required in keys.items() if required}
    assert node["additionalProperties"] is False


@pytest.mark.parametrize("name", ["demo.yaml", "vcasie-2020.yaml"])
def test_real_manifests_match_the_schema(schema: dict[str, Any], name: str) -> None:
    data = yaml.safe_load((REPO / "manifests" / name).read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # YAML dates become strings
    jsonschema.validate(data, schema)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d["event"].pop("license"),
        lambda d: d["event"].update(colour="red"),
        lambda d: d["sections"][0]["items"][0]["sources"][0].update(url="ftp://x/y"),
        lambda d: d["sections"][0]["items"][0].update(kind="movie"),
        lambda d: d["sections"][0]["items"][0]["sources"][0].update(path="../x.pdf"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    schema: dict[str, Any], tmp_path: Path, mutation: Any
) -> None:
    data = json.loads(
        json.dumps(
            yaml.safe_load((REPO / "manifests" / "vcasie-2020.yaml").read_text(encoding="utf-8")),
            default=str,
        )
    )
    mutation(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(loader.ManifestError):
        loader.load_manifest(path)
