import torch

from render_core.training import checkpoint as ck


def _model_opt():
    torch.manual_seed(0)
    m = torch.nn.Linear(4, 2)
    opt = torch.optim.Adam(m.parameters(), 1e-2, betas=(0.5, 0.999))
    for _ in range(3):
        opt.zero_grad()
        m(torch.randn(5, 4)).pow(2).sum().backward()
        opt.step()
    return m, opt


def test_save_load_restore_round_trip_keeps_weights_and_optimizer_state(tmp_path):
    m, opt = _model_opt()
    path = ck.save_checkpoint(tmp_path / "c", {"G": m}, {"G": opt}, {"family": "x", "step": 3})
    assert (path / "model.safetensors").exists() and (path / "optim.safetensors").exists()
    m2 = torch.nn.Linear(4, 2)
    opt2 = torch.optim.Adam(m2.parameters(), 1e-3)
    loaded = ck.load_checkpoint(path)
    ck.restore(loaded, {"G": m2}, {"G": opt2})
    assert loaded.meta["step"] == 3
    assert torch.equal(m2.weight, m.weight)
    s1, s2 = opt.state_dict(), opt2.state_dict()
    assert torch.equal(s1["state"][0]["exp_avg"], s2["state"][0]["exp_avg"])
    assert s2["param_groups"][0]["lr"] == 1e-2 and s2["param_groups"][0]["betas"] == (0.5, 0.999)


def test_previous_checkpoint_survives_a_crash_mid_swap(tmp_path):
    m, opt = _model_opt()
    path = ck.save_checkpoint(tmp_path / "c", {"G": m}, {"G": opt}, {"step": 1})
    path.rename(path.with_name("c.prev"))  # as if killed between the two renames
    assert ck.load_checkpoint(tmp_path / "c").meta["step"] == 1
