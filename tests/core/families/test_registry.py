"""The family registry: every family registered once with what the CLI, the studio and the
render registry read, and the family a clip's tracks suggest."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from render_core.errors import InputError
from render_core.families import registry
from render_core.training.family import Family


def test_every_family_resolves_its_hooks_renderer_presets_and_options():
    assert registry.family_names() == sorted(registry.FAMILY_PACKAGES)
    for name in registry.family_names():
        spec = registry.get_spec(name)
        assert spec.name == name and spec.summary and spec.trains_on in ("face", "body", "capture")
        family = registry.get_family(name)
        assert isinstance(family, Family) and family.presets is spec.presets
        assert {"cpu-preview", "gpu-quality"} <= set(registry.preset_names(name))
        assert callable(registry._attribute(spec.renderer))
        fields = {f.name for f in dataclasses.fields(registry.get_preset(name, "cpu-preview"))}
        for option in spec.options:
            assert set(option.overrides) <= fields and option.label and option.help


def test_edit_kinds_of_the_families_do_not_overlap_and_match_their_renderers():
    from render_core.families.body.renderer import BodyRenderer
    from render_core.families.portrait.renderer import PortraitRenderer

    portrait, body = registry.get_spec("portrait"), registry.get_spec("body")
    assert not portrait.edit_kinds & body.edit_kinds
    assert PortraitRenderer.kinds == portrait.edit_kinds and BodyRenderer.kinds == body.edit_kinds


def test_unknown_names_are_one_line_input_errors():
    with pytest.raises(InputError, match="unknown model family 'voxels'"):
        registry.get_spec("voxels")
    with pytest.raises(InputError, match="unknown preset 'fast'"):
        registry.get_preset("body", "fast")
    with pytest.raises(InputError, match="has no setting 'nope'"):
        registry.parse_overrides("portrait", "cpu-preview", ["nope=1"])


def test_a_stored_config_rebuilds_with_defaults_for_fields_it_lacks():
    stored = dataclasses.asdict(registry.get_preset("portrait", "cpu-preview"))
    stored.pop("n_w")
    stored["removed_field"] = 3
    cfg = registry.config_from_json("portrait", stored)
    assert cfg.n_w == type(cfg)().n_w and cfg.resolution == stored["resolution"]


def test_suggested_family_follows_what_the_tracks_show():
    joints = np.zeros((4, 33, 4), np.float32)
    body = SimpleNamespace(joints=joints, valid=np.ones(4, bool))
    face = SimpleNamespace(valid=np.ones(4, bool))
    tracks = SimpleNamespace(body=body, face=face)
    assert registry.suggested_family(tracks, ["body", "portrait"]) == "portrait"  # legs out of view
    joints[:, 25:29, 3] = 1.0
    assert registry.suggested_family(tracks, ["body", "portrait"]) == "body"
    assert registry.suggested_family(None, ["body", "portrait"]) == "portrait"
