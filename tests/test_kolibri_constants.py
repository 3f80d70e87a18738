"""Kolibri's vocabulary in ``oerpack.kolibri.schema`` is copied by hand; Learning Equality's
own constants package (le-utils) is the reference it must agree with."""

from __future__ import annotations

import pytest
from le_utils.constants import content_kinds, format_presets, languages, licenses
from le_utils.constants.labels import learning_activities

from oerpack.kolibri import schema


def test_node_kinds_are_kolibri_kinds() -> None:
    known = {kind for kind, _ in content_kinds.choices}
    assert set(schema.KIND_BY_EXT.values()) | {schema.TOPIC} <= known
    assert set(schema.SUPPLEMENTARY_PRESETS.values()) <= known


def test_presets_are_kolibri_presets_of_the_right_kind() -> None:
    presets = {preset.id: preset for preset in format_presets.PRESETLIST}
    for ext, preset in schema.PRESET_BY_EXT.items():
        assert preset in presets, preset
        assert presets[preset].kind == schema.KIND_BY_EXT[ext], ext
        assert ext in presets[preset].allowed_formats, (ext, preset)
        assert not presets[preset].supplementary
    for preset, kind in schema.SUPPLEMENTARY_PRESETS.items():
        assert presets[preset].kind == kind, preset
        assert presets[preset].supplementary
        assert set(schema.EXTS_BY_PRESET[preset]) <= set(presets[preset].allowed_formats)


def test_learning_activities_are_le_utils_keys() -> None:
    assert schema.LEARNING_ACTIVITY == {
        "document": learning_activities.READ,
        "video": learning_activities.WATCH,
        "audio": learning_activities.LISTEN,
    }


def test_licence_names_are_kolibri_licence_names() -> None:
    known = {name for name, _ in licenses.choices}
    assert set(schema.LICENSES.values()) | {schema.SPECIAL_PERMISSIONS} <= known


@pytest.mark.parametrize("code", sorted(schema.LANGUAGE_NAMES))
def test_language_codes_and_directions(code: str) -> None:
    language = languages.getlang(code)
    assert language is not None, code
    assert (code in schema.RTL_LANGUAGES) == (language.text_direction == "rtl")
