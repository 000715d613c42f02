"""Preset registry: `--set name=value` overrides are typed by the preset's own fields."""

import pytest

from render_core.errors import InputError
from render_core.families.registry import get_preset, parse_overrides


def test_overrides_take_the_type_of_the_preset_field():
    o = parse_overrides(
        "body", "cpu-preview", ["lr=7e-4", "batch_size=2", "autocast=true", "shift_augment=0.025"]
    )
    assert o == {"lr": 7e-4, "batch_size": 2, "autocast": True, "shift_augment": 0.025}
    assert type(o["batch_size"]) is int and type(o["lr"]) is float
    cfg = get_preset("body", "cpu-preview", o)
    assert cfg.lr == 7e-4 and cfg.batch_size == 2


@pytest.mark.parametrize(
    "item, words",
    [("nope=1", "has no setting 'nope'"), ("batch_size=2.5", "expected an integer"),
     ("lr=fast", "expected a number"), ("autocast=maybe", "expected true or false"), ("=3", "name=value"),
     ("lr", "name=value")],
)  # fmt: skip
def test_bad_override_names_the_item(item, words):
    with pytest.raises(InputError, match=words) as e:
        parse_overrides("portrait", "cpu-preview", [item])
    assert repr(item) in str(e.value)
