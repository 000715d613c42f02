"""Learning-rate schedule (constant, then linear decay) and checkpoint config defaults."""

import dataclasses

import pytest

from render_core.families.registry import config_from_json, get_family, get_preset
from render_core.families.train import train_model
from render_core.jobs import null_context
from render_core.training.family import linear_decay
from tests.core.conftest import make_cfg


def test_linear_decay_is_constant_then_falls_to_zero_at_the_end():
    assert linear_decay(0.0, 0.5) == 1.0
    assert linear_decay(0.5, 0.5) == 1.0
    assert linear_decay(0.75, 0.5) == pytest.approx(0.5)
    assert linear_decay(1.0, 0.5) == 0.0
    assert linear_decay(0.99, 1.0) == 1.0  # lr_decay_from = 1: constant


def test_body_stages_decay_over_their_own_share_of_the_budget():
    body = get_family("body")
    cfg = get_preset("body", "cpu-preview", {"lr_decay_from": 0.5, "face_start": 0.8})
    assert body.lr_factor(cfg, "g", 0.4) == 1.0
    assert body.lr_factor(cfg, "g", 0.6) == pytest.approx(0.5)  # halfway from 0.4 to 0.8
    assert body.lr_factor(cfg, "f", 0.85) == 1.0  # face stage 0.8..1, decays after 0.9
    assert body.lr_factor(cfg, "f", 0.95) == pytest.approx(0.5)


def test_trainer_applies_the_schedule_to_every_optimizer(tracked, tmp_path, monkeypatch):
    import render_core.training.trainer as trainer

    lrs, real = [], trainer._schedule_lr

    def spy(family, pcfg, s):
        real(family, pcfg, s)
        lrs.append({k: o.param_groups[0]["lr"] for k, o in s.opts.items()})

    monkeypatch.setattr(trainer, "_schedule_lr", spy)
    train_model(
        make_cfg(tracked, tmp_path / "ck", steps=4, overrides={"lr_decay_from": 0.5, "lr": 1e-3}),
        null_context(),
    )
    assert [round(x["G"], 6) for x in lrs] == [1e-3, 1e-3, 1e-3, 5e-4]  # progress 0, .25, .5, .75
    assert all(x["G"] == x["D"] for x in lrs)


def test_checkpoint_config_without_new_fields_gets_class_defaults():
    cfg = get_preset("portrait", "cpu-preview")
    stored = dataclasses.asdict(cfg)
    del stored["crop_alpha"]  # a checkpoint written before the field existed
    old = config_from_json("portrait", stored)
    assert old.crop_alpha == type(cfg)().crop_alpha and old.n_w == cfg.n_w


def test_a_preset_can_opt_out_of_autocast(tracked, tmp_path, monkeypatch):
    monkeypatch.setenv("RENDER_CPU_AMP", "1")
    res = train_model(
        make_cfg(tracked, tmp_path / "a", steps=1, overrides={"autocast": False}), null_context()
    )
    assert "+bfloat16" not in res.meta["device"]
    res = train_model(make_cfg(tracked, tmp_path / "b", steps=1), null_context())
    assert res.meta["device"].endswith("+bfloat16")
    assert not get_preset("body", "cpu-preview").autocast and get_preset("portrait", "cpu-preview").autocast
