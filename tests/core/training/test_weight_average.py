"""The generator weight average: known-value updates, its place in checkpoints and renderers."""

from __future__ import annotations

import torch

from render_core.training.weight_average import (
    add_averages,
    adopt_average,
    missing_averages,
    prefer_averaged,
    rendering_model,
    update_averages,
)


def _models() -> dict[str, torch.nn.Module]:
    torch.manual_seed(0)
    return {"G": torch.nn.Linear(3, 2), "D": torch.nn.Linear(2, 1)}


def test_the_average_starts_as_a_frozen_copy_and_moves_by_one_minus_decay():
    models = _models()
    add_averages(models, ("G",))
    avg, g = models["G_avg"], models["G"]
    assert set(models) == {"G", "D", "G_avg"} and avg is not g
    assert not any(p.requires_grad for p in avg.parameters())
    start = avg.weight.detach().clone()
    with torch.no_grad():
        g.weight.add_(1.0)  # a training update
    update_averages(models, ("G",), decay=0.9)
    torch.testing.assert_close(avg.weight, start + 0.1)
    update_averages(models, ("G",), decay=0.9)
    torch.testing.assert_close(avg.weight, start + 0.19)  # 0.9 * (start + 0.1) + 0.1 * (start + 1)
    assert rendering_model(models, "G") is avg and rendering_model(models, "D") is models["D"]


def test_models_without_an_average_are_left_alone():
    models = _models()
    before = models["G"].weight.detach().clone()
    update_averages(models, ("G",), decay=0.5)  # no average was added: nothing to update
    torch.testing.assert_close(models["G"].weight, before)
    assert rendering_model(models, "G") is models["G"]


def test_adopting_copies_the_average_into_the_trained_model():
    models = _models()
    add_averages(models, ("G",))
    with torch.no_grad():
        models["G"].weight.mul_(3.0)
    adopt_average(models, "G")
    torch.testing.assert_close(models["G"].weight, models["G_avg"].weight)
    assert models["G"].weight.requires_grad  # the trained model stays trainable


def test_a_checkpoint_renders_with_its_average_and_old_ones_with_their_weights():
    g, avg, d = {"w": torch.zeros(1)}, {"w": torch.ones(1)}, {"w": torch.full((1,), 2.0)}
    swapped = prefer_averaged({"G": g, "G_avg": avg, "D": d})
    assert set(swapped) == {"G", "D"} and swapped["G"] is avg and swapped["D"] is d
    assert prefer_averaged({"G": g, "D": d}) == {"G": g, "D": d}


def test_missing_averages_names_the_models_a_checkpoint_has_no_average_for():
    models = _models()
    add_averages(models, ("G",))
    assert missing_averages(models, {"G": {}, "D": {}}) == ["G"]
    assert missing_averages(models, {"G": {}, "G_avg": {}, "D": {}}) == []
